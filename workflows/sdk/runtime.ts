// What a workflow callback can do: call capabilities, read secrets, log.

import * as host from "./host";
import { Any, Reader, Writer, fromUtf8, utf8 } from "./proto";

// Capability answers and secrets larger than this are refused by the host with a clear error.
const RESPONSE_BUFFER_SIZE: i32 = 64 * 1024;

/** sdk.v1alpha.CapabilityResponse: payload or error. */
export class CapabilityResult {
  constructor(public payload: Any | null, public error: string) {}
}

/** One secret: its value, or the error the secrets provider returned. */
export class SecretResult {
  constructor(public value: string, public error: string) {}
}

export class Runtime {
  private nextCallbackId: i32 = 0;
  private buffer: Uint8Array = new Uint8Array(RESPONSE_BUFFER_SIZE);

  log(message: string): void {
    const b = utf8(message);
    host.log(b.dataStart, b.length);
  }

  /** Starts a capability call; returns its callback id. Aborts the execution when the host refuses the call. */
  callCapability(id: string, method: string, payload: Any): i32 {
    const callbackId = this.nextCallbackId++;
    const w = new Writer();
    w.stringField(1, id);
    w.bytesField(2, payload.encode());
    w.stringField(3, method);
    w.int32Field(4, callbackId);
    const req = w.finish();
    const rc = host.call_capability(req.dataStart, req.length, this.buffer.dataStart, this.buffer.length);
    if (rc < 0) abort("call_capability failed: " + this.errorText(rc));
    return callbackId;
  }

  awaitCapability(callbackId: i32): CapabilityResult {
    const w = new Writer();
    const ids = new Writer();
    ids.varint(<u64><i64>callbackId);
    w.bytesField(1, ids.finish()); // packed repeated int32
    const req = w.finish();
    const rc = host.await_capabilities(req.dataStart, req.length, this.buffer.dataStart, this.buffer.length);
    if (rc < 0) abort("await_capabilities failed: " + this.errorText(rc));
    const r = new Reader(this.buffer.slice(0, <i32>rc));
    while (!r.eof()) {
      const t = r.tag();
      if ((t >> 3) != 1) { r.skip(t & 7); continue; }
      const entry = new Reader(r.bytes());
      let key: i32 = 0;
      let value = new Uint8Array(0);
      while (!entry.eof()) {
        const et = entry.tag();
        const f = et >> 3;
        if (f == 1) key = <i32>entry.varint();
        else if (f == 2) value = entry.bytes();
        else entry.skip(et & 7);
      }
      if (key == callbackId) return decodeCapabilityResponse(value);
    }
    abort("await_capabilities returned no response for the call");
    return new CapabilityResult(null, "");
  }

  /** Reads one secret (namespace defaults to "main" on the host side when empty). */
  getSecret(id: string, namespace: string): SecretResult {
    const callbackId = this.nextCallbackId++;
    const secretRequest = new Writer();
    secretRequest.stringField(1, id);
    secretRequest.stringField(2, namespace);
    const w = new Writer();
    w.bytesField(1, secretRequest.finish());
    w.int32Field(2, callbackId);
    const req = w.finish();
    const rc = host.get_secrets(req.dataStart, req.length, this.buffer.dataStart, this.buffer.length);
    if (rc < 0) abort("get_secrets failed: " + this.errorText(rc));

    const aw = new Writer();
    const ids = new Writer();
    ids.varint(<u64><i64>callbackId);
    aw.bytesField(1, ids.finish());
    const areq = aw.finish();
    const arc = host.await_secrets(areq.dataStart, areq.length, this.buffer.dataStart, this.buffer.length);
    if (arc < 0) abort("await_secrets failed: " + this.errorText(arc));
    const r = new Reader(this.buffer.slice(0, <i32>arc));
    while (!r.eof()) {
      const t = r.tag();
      if ((t >> 3) != 1) { r.skip(t & 7); continue; }
      const entry = new Reader(r.bytes());
      let key: i32 = 0;
      let value = new Uint8Array(0);
      while (!entry.eof()) {
        const et = entry.tag();
        const f = et >> 3;
        if (f == 1) key = <i32>entry.varint();
        else if (f == 2) value = entry.bytes();
        else entry.skip(et & 7);
      }
      if (key == callbackId) return decodeFirstSecret(value);
    }
    abort("await_secrets returned no response for the request");
    return new SecretResult("", "");
  }

  private errorText(rc: i64): string {
    const len = <i32>(-rc);
    return fromUtf8(this.buffer.subarray(0, min(len, this.buffer.length)));
  }
}

function decodeCapabilityResponse(buf: Uint8Array): CapabilityResult {
  const r = new Reader(buf);
  let payload: Any | null = null;
  let error = "";
  while (!r.eof()) {
    const t = r.tag();
    const f = t >> 3;
    if (f == 1) payload = Any.decode(r.bytes());
    else if (f == 2) error = fromUtf8(r.bytes());
    else r.skip(t & 7);
  }
  if (payload == null && error.length == 0) error = "capability returned neither a payload nor an error";
  return new CapabilityResult(payload, error);
}

// SecretResponses{repeated SecretResponse responses = 1}; SecretResponse{Secret secret = 1 | SecretError error = 2}
function decodeFirstSecret(buf: Uint8Array): SecretResult {
  const r = new Reader(buf);
  while (!r.eof()) {
    const t = r.tag();
    if ((t >> 3) != 1) { r.skip(t & 7); continue; }
    const response = new Reader(r.bytes());
    while (!response.eof()) {
      const rt = response.tag();
      const kind = rt >> 3;
      if (kind != 1 && kind != 2) { response.skip(rt & 7); continue; }
      const inner = new Reader(response.bytes());
      let text = "";
      while (!inner.eof()) {
        const it = inner.tag();
        if ((it >> 3) == 4) text = fromUtf8(inner.bytes());
        else inner.skip(it & 7);
      }
      return kind == 1 ? new SecretResult(text, "") : new SecretResult("", text.length > 0 ? text : "secret error");
    }
  }
  return new SecretResult("", "no secret in the response");
}
