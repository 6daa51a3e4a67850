// Minimal protobuf wire format (proto3) for the messages the CRE v2 module contract uses.

export const WIRE_VARINT: u32 = 0;
export const WIRE_FIXED64: u32 = 1;
export const WIRE_LEN: u32 = 2;
export const WIRE_FIXED32: u32 = 5;

export function utf8(s: string): Uint8Array {
  return Uint8Array.wrap(String.UTF8.encode(s));
}

export function fromUtf8(b: Uint8Array): string {
  return String.UTF8.decodeUnsafe(b.dataStart, <usize>b.length);
}

export class Writer {
  private bytes: Array<u8> = new Array<u8>();

  varint(value: u64): void {
    let v = value;
    while (v >= 0x80) {
      this.bytes.push(<u8>((v & 0x7f) | 0x80));
      v >>= 7;
    }
    this.bytes.push(<u8>v);
  }

  tag(field: u32, wire: u32): void {
    this.varint(<u64>((field << 3) | wire));
  }

  /** Always written (use for oneof members and repeated elements). */
  bytesField(field: u32, value: Uint8Array): void {
    this.tag(field, WIRE_LEN);
    this.varint(<u64>value.length);
    for (let i = 0; i < value.length; i++) this.bytes.push(value[i]);
  }

  /** Proto3 scalar semantics: empty is not written. */
  optionalBytes(field: u32, value: Uint8Array): void {
    if (value.length > 0) this.bytesField(field, value);
  }

  stringField(field: u32, value: string): void {
    if (value.length > 0) this.bytesField(field, utf8(value));
  }

  uint64Field(field: u32, value: u64): void {
    if (value == 0) return;
    this.tag(field, WIRE_VARINT);
    this.varint(value);
  }

  int32Field(field: u32, value: i32): void {
    if (value == 0) return;
    this.tag(field, WIRE_VARINT);
    this.varint(<u64><i64>value); // negative int32 is sign-extended to 10 bytes, as protobuf does
  }

  finish(): Uint8Array {
    const out = new Uint8Array(this.bytes.length);
    for (let i = 0; i < this.bytes.length; i++) out[i] = this.bytes[i];
    return out;
  }
}

export class Reader {
  pos: i32;
  end: i32;

  constructor(public buf: Uint8Array) {
    this.pos = 0;
    this.end = buf.length;
  }

  eof(): bool {
    return this.pos >= this.end;
  }

  varint(): u64 {
    let result: u64 = 0;
    let shift: u64 = 0;
    while (true) {
      if (this.pos >= this.end) abort("protobuf: truncated varint");
      const b = this.buf[this.pos++];
      result |= (<u64>(b & 0x7f)) << shift;
      if ((b & 0x80) == 0) break;
      shift += 7;
      if (shift > 63) abort("protobuf: varint too long");
    }
    return result;
  }

  tag(): u32 {
    return <u32>this.varint();
  }

  bytes(): Uint8Array {
    const len = <i32>this.varint();
    if (len < 0 || this.pos + len > this.end) abort("protobuf: length-delimited field runs past the end");
    const out = this.buf.slice(this.pos, this.pos + len);
    this.pos += len;
    return out;
  }

  skip(wire: u32): void {
    if (wire == WIRE_VARINT) this.varint();
    else if (wire == WIRE_FIXED64) this.pos += 8;
    else if (wire == WIRE_LEN) this.bytes();
    else if (wire == WIRE_FIXED32) this.pos += 4;
    else abort("protobuf: unsupported wire type");
    if (this.pos > this.end) abort("protobuf: field runs past the end");
  }
}

/** google.protobuf.Any */
export class Any {
  constructor(public typeUrl: string, public value: Uint8Array) {}

  static pack(fullName: string, value: Uint8Array): Any {
    return new Any("type.googleapis.com/" + fullName, value);
  }

  encode(): Uint8Array {
    const w = new Writer();
    w.stringField(1, this.typeUrl);
    w.optionalBytes(2, this.value);
    return w.finish();
  }

  static decode(buf: Uint8Array): Any {
    const r = new Reader(buf);
    let typeUrl = "";
    let value = new Uint8Array(0);
    while (!r.eof()) {
      const t = r.tag();
      const f = t >> 3;
      if (f == 1) typeUrl = fromUtf8(r.bytes());
      else if (f == 2) value = r.bytes();
      else r.skip(t & 7);
    }
    return new Any(typeUrl, value);
  }
}

/** values.v1.Value holding bytes. */
export function bytesValue(b: Uint8Array): Uint8Array {
  const w = new Writer();
  w.bytesField(3, b);
  return w.finish();
}

/** values.v1.Value holding a string. */
export function stringValue(s: string): Uint8Array {
  const w = new Writer();
  w.bytesField(1, utf8(s));
  return w.finish();
}
