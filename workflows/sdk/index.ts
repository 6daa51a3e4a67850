// CreAspire workflow SDK for AssemblyScript: the CRE v2 module contract (see docs in workflows/README.md).
export { Any, Reader, Writer, utf8, fromUtf8, bytesValue, stringValue } from "./proto";
export { sha256 } from "./sha256";
export { Runtime, CapabilityResult, SecretResult } from "./runtime";
export { Handler, Outcome, run } from "./runner";
export { cronTrigger } from "./cron";
export { mockInput } from "./mock";
