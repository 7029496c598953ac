import assert from "node:assert/strict";
import { parseCidr, parseIp } from "../../src/config/cidr.ts";

Deno.test("parseIp reads IPv4 and IPv6, rejects the rest", () => {
  assert.deepEqual([...parseIp("10.1.2.3")?.bytes ?? []], [10, 1, 2, 3]);
  assert.deepEqual([...parseIp("::1")?.bytes ?? []], [...Array(15).fill(0), 1]);
  assert.deepEqual([...parseIp("::ffff:1.2.3.4")?.bytes ?? []].slice(10), [0xff, 0xff, 1, 2, 3, 4]);
  assert.equal(parseIp("2001:db8::8a2e:370:7334")?.family, 6);
  for (
    const bad of ["256.1.1.1", "1.2.3", "01.2.3.4", "1::2::3", "1:2:3:4:5:6:7:8:9", "gg::1", "host"]
  ) {
    assert.equal(parseIp(bad), undefined, bad);
  }
});

Deno.test("parseCidr reads ranges and bare addresses", () => {
  assert.equal(parseCidr("10.0.0.0/8")?.prefix, 8);
  assert.equal(parseCidr("10.0.0.1")?.prefix, 32);
  assert.equal(parseCidr("::1")?.prefix, 128);
  assert.equal(parseCidr("fd00::/8")?.prefix, 8);
  for (const bad of ["10.0.0.0/33", "::/129", "10.0.0.0/8/1", "10.0.0.0/", "10.0.0.0/08", "x/8"]) {
    assert.equal(parseCidr(bad), undefined, bad);
  }
});
