// Entry point of a workflow: reads the ExecuteRequest from argv, answers subscribe with one trigger subscription per
// handler (handler index = subscription index), or runs handlers[trigger.id] and sends its ExecutionResult.

import * as host from "./host";
import { Any, Reader, Writer, fromUtf8, utf8 } from "./proto";
import { base64Decode } from "./base64";
import { Runtime } from "./runtime";

/** A callback's result: a values.v1.Value (serialized) or an error message. */
export class Outcome {
  constructor(public value: Uint8Array | null, public error: string) {}

  static value(serializedValue: Uint8Array): Outcome {
    return new Outcome(serializedValue, "");
  }

  static error(message: string): Outcome {
    return new Outcome(null, message);
  }
}

export class Handler {
  constructor(
    public triggerCapabilityId: string,
    public triggerMethod: string,
    public triggerConfig: Any,
    public callback: (runtime: Runtime, payload: Any) => Outcome,
  ) {}
}

class ExecuteRequest {
  config: Uint8Array = new Uint8Array(0);
  subscribe: bool = false;
  hasTrigger: bool = false;
  triggerId: u64 = 0;
  triggerPayload: Any = new Any("", new Uint8Array(0));
}

function readArgument(): Uint8Array {
  const sizes = new Uint32Array(2);
  if (host.args_sizes_get(sizes.dataStart, sizes.dataStart + 4) != 0) abort("args_sizes_get failed");
  const argc = <i32>sizes[0];
  if (argc < 2) abort("expected argv [\"wasi\", base64(ExecuteRequest)]");
  const pointers = new Uint32Array(argc);
  const text = new Uint8Array(<i32>sizes[1]);
  if (host.args_get(pointers.dataStart, text.dataStart) != 0) abort("args_get failed");
  const start = <i32>(pointers[1] - <u32>text.dataStart);
  let end = start;
  while (end < text.length && text[end] != 0) end++;
  return base64Decode(text.subarray(start, end));
}

function parseRequest(buf: Uint8Array): ExecuteRequest {
  const req = new ExecuteRequest();
  const r = new Reader(buf);
  while (!r.eof()) {
    const t = r.tag();
    const f = t >> 3;
    if (f == 1) req.config = r.bytes();
    else if (f == 2) { r.bytes(); req.subscribe = true; req.hasTrigger = false; }
    else if (f == 3) {
      req.hasTrigger = true;
      req.subscribe = false;
      const tr = new Reader(r.bytes());
      while (!tr.eof()) {
        const tt = tr.tag();
        const tf = tt >> 3;
        if (tf == 1) req.triggerId = tr.varint();
        else if (tf == 2) req.triggerPayload = Any.decode(tr.bytes());
        else tr.skip(tt & 7);
      }
    } else r.skip(t & 7);
  }
  return req;
}

function send(result: Uint8Array): void {
  const rc = host.send_response(result.dataStart, result.length);
  if (rc < 0) abort("send_response was refused by the host");
}

function sendError(message: string): void {
  const w = new Writer();
  w.bytesField(2, utf8(message));
  send(w.finish());
}

/** Runs the workflow: call from the module's top level (compiled with --exportStart _start). */
export function run(init: (config: Uint8Array) => Handler[]): void {
  host.version_v2_assemblyscript();
  const request = parseRequest(readArgument());
  const handlers = init(request.config);

  if (request.subscribe) {
    const list = new Writer();
    for (let i = 0; i < handlers.length; i++) {
      const s = new Writer();
      s.stringField(1, handlers[i].triggerCapabilityId);
      s.bytesField(2, handlers[i].triggerConfig.encode());
      s.stringField(3, handlers[i].triggerMethod);
      list.bytesField(1, s.finish());
    }
    const w = new Writer();
    w.bytesField(3, list.finish());
    send(w.finish());
    return;
  }

  if (!request.hasTrigger) {
    sendError("ExecuteRequest has neither subscribe nor trigger");
    return;
  }
  if (request.triggerId >= <u64>handlers.length) {
    sendError("trigger id " + request.triggerId.toString() + " has no handler (workflow has " + handlers.length.toString() + ")");
    return;
  }
  const outcome = handlers[<i32>request.triggerId].callback(new Runtime(), request.triggerPayload);
  const value = outcome.value;
  if (value != null) {
    const w = new Writer();
    w.bytesField(1, value);
    send(w.finish());
  } else {
    sendError(outcome.error);
  }
}

export { fromUtf8 };
