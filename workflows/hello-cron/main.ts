// hello-cron: on every cron tick, call mock@1.0.0 "Execute" with MockInput{message: "hello-cron", data: the serialized
// cron Payload (so every node sends the same bytes)} and return the capability's MockOutput bytes as the result value.
import { Any, Handler, Outcome, Runtime, bytesValue, cronTrigger, mockInput, run } from "../sdk/index";

function onCron(runtime: Runtime, payload: Any): Outcome {
  const callId = runtime.callCapability("mock@1.0.0", "Execute", mockInput("hello-cron", payload.value));
  const answer = runtime.awaitCapability(callId);
  const answerPayload = answer.payload;
  if (answerPayload == null) return Outcome.error("mock@1.0.0 failed: " + answer.error);
  runtime.log("hello-cron: mock answered");
  return Outcome.value(bytesValue(answerPayload.value));
}

function init(config: Uint8Array): Handler[] {
  return [new Handler("cron-trigger@1.0.0", "Trigger", cronTrigger(config), onCron)];
}

run(init);
