// Host imports of the CRE v2 (NoDAG) module contract, module "env", plus the WASI preview1 calls the runner needs.

@external("env", "version_v2_assemblyscript")
export declare function version_v2_assemblyscript(): void;

@external("env", "send_response")
export declare function send_response(ptr: usize, len: i32): i32;

@external("env", "call_capability")
export declare function call_capability(reqPtr: usize, reqLen: i32, errPtr: usize, errMax: i32): i64;

@external("env", "await_capabilities")
export declare function await_capabilities(reqPtr: usize, reqLen: i32, respPtr: usize, respMax: i32): i64;

@external("env", "get_secrets")
export declare function get_secrets(reqPtr: usize, reqLen: i32, errPtr: usize, errMax: i32): i64;

@external("env", "await_secrets")
export declare function await_secrets(reqPtr: usize, reqLen: i32, respPtr: usize, respMax: i32): i64;

@external("env", "log")
export declare function log(ptr: usize, len: i32): void;

@external("wasi_snapshot_preview1", "args_sizes_get")
export declare function args_sizes_get(argcPtr: usize, argvBufSizePtr: usize): i32;

@external("wasi_snapshot_preview1", "args_get")
export declare function args_get(argvPtr: usize, argvBufPtr: usize): i32;
