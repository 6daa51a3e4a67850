import { Any, Writer } from "./proto";

export const MOCK_CAPABILITY_ID = "mock@1.0.0";

/** Any(capabilities.mock.v1.MockInput{message, data}). */
export function mockInput(message: string, data: Uint8Array): Any {
  const w = new Writer();
  w.stringField(1, message);
  w.optionalBytes(2, data);
  return Any.pack("capabilities.mock.v1.MockInput", w.finish());
}
