// Standard base64 (RFC 4648 with padding) decoding, for the argv ExecuteRequest.

function sextet(c: u8): i32 {
  if (c >= 65 && c <= 90) return c - 65;
  if (c >= 97 && c <= 122) return c - 71;
  if (c >= 48 && c <= 57) return c + 4;
  if (c == 43) return 62;
  if (c == 47) return 63;
  abort("base64: invalid character in the ExecuteRequest argument");
  return 0;
}

export function base64Decode(src: Uint8Array): Uint8Array {
  let len = src.length;
  while (len > 0 && src[len - 1] == 61) len--;
  const out = new Uint8Array((len * 3) / 4);
  let o = 0;
  let acc: u32 = 0;
  let bits = 0;
  for (let i = 0; i < len; i++) {
    acc = (acc << 6) | <u32>sextet(src[i]);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = <u8>(acc >> <u32>bits);
    }
  }
  return out.subarray(0, o);
}
