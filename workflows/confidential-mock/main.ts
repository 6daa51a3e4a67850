// confidential-mock: on every cron tick, read secret MOCK_SECRET (namespace "main"), call mock@1.0.0 "Execute" with
// MockInput{message: "confidential-mock", data: sha256(secret value)} and return the MockOutput bytes.
import { Any, Handler, Outcome, Runtime, bytesValue, cronTrigger, mockInput, run, sha256, utf8 } from "../sdk/index";

function onCron(runtime: Runtime, payload: Any): Outcome {
  const secret = runtime.getSecret("MOCK_SECRET", "main");
  if (secret.error.length > 0) return Outcome.error("secret MOCK_SECRET: " + secret.error);
  const callId = runtime.callCapability("mock@1.0.0", "Execute", mockInput("confidential-mock", sha256(utf8(secret.value))));
  const answer = runtime.awaitCapability(callId);
  const answerPayload = answer.payload;
  if (answerPayload == null) return Outcome.error("mock@1.0.0 failed: " + answer.error);
  return Outcome.value(bytesValue(answerPayload.value));
}

function init(config: Uint8Array): Handler[] {
  return [new Handler("cron-trigger@1.0.0", "Trigger", cronTrigger(config), onCron)];
}

run(init);
