/**
 * What a body means to the rules: what an upstream would read (Node's lenient UTF-8, Python's
 * UTF-16/32 detection, form fields), and `uninspectable` where Mirage cannot know.
 */

import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { readPayload } from "@mirage/core";
import { readFormFields } from "../../src/engine/form_fields.ts";

const JSON_TYPE = "application/json";
const FORM = "application/x-www-form-urlencoded";

function bytes(...parts: (string | number[])[]): Uint8Array {
  return new Uint8Array(
    parts.flatMap((p) => typeof p === "string" ? [...new TextEncoder().encode(p)] : p),
  );
}

/** UTF-16 / UTF-32 bytes of a text, as Python's `str.encode` writes them. */
function encode(text: string, encoding: "utf16le" | "utf16be" | "utf32le" | "utf32be") {
  const points = [...text].map((c) => c.codePointAt(0) as number);
  if (encoding.startsWith("utf16")) {
    const le = new Uint8Array(Buffer.from(text, "utf16le"));
    if (encoding === "utf16le") return le;
    for (let i = 0; i < le.length; i += 2) {
      [le[i], le[i + 1]] = [le[i + 1] as number, le[i] as number];
    }
    return le;
  }
  const out = new Uint8Array(points.length * 4);
  const view = new DataView(out.buffer);
  points.forEach((p, i) => view.setUint32(i * 4, p, encoding === "utf32le"));
  return out;
}

Deno.test("payload: an invalid UTF-8 byte is U+FFFD, as Node reads it; the JSON stays JSON", () => {
  const body = bytes('{"destination_url":"https://pastebin.com/raw/x","t":"', [0xff], '"}');
  const upstream = JSON.parse(Buffer.from(body).toString());
  assert.deepEqual(readPayload(body, JSON_TYPE), { kind: "json", value: upstream });
  assert.deepEqual(readPayload(body, null), { kind: "json", value: upstream });
});

Deno.test("payload: UTF-16 and UTF-32 JSON, with and without a byte-order mark, is JSON", () => {
  const value = { destination_url: "https://pastebin.com/raw/x", note: "é ✓ 𝄞" };
  const text = JSON.stringify(value);
  for (const encoding of ["utf16le", "utf16be", "utf32le", "utf32be"] as const) {
    const plain = encode(text, encoding);
    const bom = encode(`\uFEFF${text}`, encoding);
    for (const body of [plain, bom]) {
      assert.deepEqual(readPayload(body, JSON_TYPE), { kind: "json", value }, encoding);
      assert.deepEqual(readPayload(body, "text/plain"), { kind: "json", value }, encoding);
    }
  }
  assert.deepEqual(readPayload(bytes([0xef, 0xbb, 0xbf], '{"a":1}'), null), {
    kind: "json",
    value: { a: 1 },
  });
  // Two bytes, the shortest UTF-16 JSON: a digit.
  assert.deepEqual(readPayload(encode("7", "utf16be"), JSON_TYPE), { kind: "json", value: 7 });
});

Deno.test("payload: a form, multipart part or text after a UTF-16/32 byte-order mark is uninspectable", () => {
  const paste = "&destination_url=https://pastebin.com/raw/x";
  const marks = [[0xff, 0xfe], [0xfe, 0xff], [0xff, 0xfe, 0x00, 0x00], [0x00, 0x00, 0xfe, 0xff]];
  for (const mark of marks) {
    const body = bytes(mark, paste);
    // What Node (and Python, werkzeug) read: the mark as U+FFFD, the ASCII after it as sent.
    assert.equal(
      new URLSearchParams(Buffer.from(body).toString()).get("destination_url"),
      "https://pastebin.com/raw/x",
    );
    for (const type of [FORM, null, "text/plain", "text/csv"]) {
      const r = readPayload(body, type);
      assert.equal(r.kind, "uninspectable", `${mark} ${type}`);
      assert.ok(r.kind === "uninspectable" && /byte-order mark/.test(r.reason));
    }
    const multipart = bytes(
      '--B\r\nContent-Disposition: form-data; name="destination_url"\r\n\r\n',
      mark,
      "https://pastebin.com/raw/x\r\n--B--\r\n",
    );
    assert.equal(readPayload(multipart, "multipart/form-data; boundary=B").kind, "uninspectable");
  }
  // JSON is still read by its mark, as Python's json.loads(bytes) reads it; UTF-8's mark is dropped.
  assert.equal(readPayload(encode('\uFEFF{"a":1}', "utf16le"), null).kind, "json");
  assert.deepEqual(readPayload(bytes([0xef, 0xbb, 0xbf], "a=1"), FORM), {
    kind: "form",
    value: { a: "1" },
  });
});

Deno.test("payload: a body declared as JSON that does not parse is uninspectable, without quoting it", () => {
  const text = '{"payment":{"card_number":"4111-1111-1111-1111"},}';
  const r = readPayload(bytes(text), "application/json; charset=utf-8");
  assert.equal(r.kind, "uninspectable");
  assert.ok(r.kind === "uninspectable");
  assert.equal(r.text, text);
  assert.match(r.reason, /declared as JSON but is not JSON \(.*position 49/);
  const quoted = readPayload("card=4111-1111-1111-1111", "application/problem+json");
  assert.ok(quoted.kind === "uninspectable");
  assert.doesNotMatch(quoted.reason, /4111/, "the reason quotes the body");
  assert.equal(readPayload("  ", JSON_TYPE).kind, "uninspectable");
});

Deno.test("payload: JSON wins wherever it parses, but a declared form is a form; other text is text", () => {
  assert.deepEqual(readPayload('{"a":1}', FORM), { kind: "form", value: { '{"a":1}': "" } });
  assert.deepEqual(readPayload('{"a":1}', "text/plain"), { kind: "json", value: { a: 1 } });
  assert.deepEqual(readPayload('{"a":1}', "application/xml"), { kind: "json", value: { a: 1 } });
  assert.deepEqual(readPayload("hello", "text/plain"), { kind: "text", value: "hello" });
  assert.deepEqual(readPayload(bytes("a", [0xff]), "application/octet-stream"), {
    kind: "text",
    value: "a\uFFFD",
  });
  assert.deepEqual(readPayload(new Uint8Array(), JSON_TYPE), { kind: "empty" });
  assert.deepEqual(readPayload(undefined, JSON_TYPE), { kind: "empty" });
});

/** JSON whose text a form parser reads as `destination_url=https://pastebin.com/raw/x`. */
const JSON_AND_FORM = '["x","&destination_url=https://pastebin.com/raw/x&"]';

Deno.test("payload: a declared type decides which reading counts when the bytes read two ways", () => {
  const form = readPayload(JSON_AND_FORM, `${FORM}; charset=utf-8`);
  assert.ok(form.kind === "form");
  assert.equal(form.value.destination_url, "https://pastebin.com/raw/x");
  assert.deepEqual(readPayload(JSON_AND_FORM, JSON_TYPE), {
    kind: "json",
    value: ["x", "&destination_url=https://pastebin.com/raw/x&"],
  });
  assert.equal(readPayload("a=1&b=2", "application/vnd.api+json").kind, "uninspectable");
});

Deno.test("payload: a body of no stated type that reads as a form and as JSON or text is uninspectable", () => {
  for (const type of [undefined, "", "text/plain;charset=UTF-8", "application/octet-stream", "x"]) {
    for (const body of [JSON_AND_FORM, "destination_url=https://pastebin.com/raw/x", "a=1;b=2"]) {
      const r = readPayload(body, type);
      assert.ok(r.kind === "uninspectable", `${type} ${body}`);
      assert.match(r.reason, /reads as form fields and as (JSON|text): declare/);
      assert.equal(r.text, body);
    }
    // Reads as one thing only: JSON whose '=' is inside a name no form sends, prose, a lone name.
    assert.deepEqual(readPayload('{"q":"a=b"}', type), { kind: "json", value: { q: "a=b" } });
    assert.deepEqual(readPayload("x = y", type), { kind: "text", value: "x = y" });
    assert.deepEqual(readPayload("hello&bye", type), { kind: "text", value: "hello&bye" });
  }
  // A type that names a reading Mirage has not (XML) is not read as a form.
  assert.deepEqual(readPayload("a=1", "application/xml"), { kind: "text", value: "a=1" });
});

Deno.test("payload: a form that reads as other fields where ';' or a blank after '&' ends a field is uninspectable", () => {
  const bodies = [
    "note=x;destination_url=https://pastebin.com",
    "a=1& b=2",
    "a=1;a[b]=2",
    "a=1;&b=2",
  ];
  for (const body of bodies) {
    const r = readPayload(body, FORM);
    assert.ok(r.kind === "uninspectable", body);
    assert.match(r.reason, /other fields where ';' also ends a field/);
  }
  assert.deepEqual(readPayload("a=1&b=x%3By", FORM), { kind: "form", value: { a: "1", b: "x;y" } });
  assert.equal(readPayload("a=1&b=2;", FORM).kind, "uninspectable");
});

Deno.test("payload: the charset parameter does not change what is read", () => {
  const body = bytes('{"destination_url":"https://pastebin.com/x"}');
  for (const charset of ["utf-16le", "latin1", "nonsense"]) {
    assert.deepEqual(readPayload(body, `application/json; charset=${charset}`), {
      kind: "json",
      value: { destination_url: "https://pastebin.com/x" },
    });
  }
});

Deno.test("payload: a form is read as fields; a repeated name is a list", () => {
  assert.deepEqual(readPayload("amount=50000&tag=a&tag=b&note=a+b%21", FORM), {
    kind: "form",
    value: { amount: "50000", tag: ["a", "b"], note: "a b!" },
  });
  assert.deepEqual(readPayload("a=1", `${FORM}; charset=UTF-8`), {
    kind: "form",
    value: { a: "1" },
  });
});

Deno.test("form fields: dotted and bracketed names are nested keys, however they are spelt", () => {
  for (
    const name of [
      "payment.card_number",
      "payment[card_number]",
    ]
  ) {
    assert.deepEqual(readFormFields(`${encodeURIComponent(name)}=4111&payment.exp=12`), {
      ok: true,
      fields: { payment: { card_number: "4111", exp: "12" } },
    }, name);
  }
  assert.deepEqual(readFormFields("a[b][c]=1&a[b.c]=2&x[]=1&x[]=2&y[]=only"), {
    ok: true,
    fields: { a: { b: { c: "1" }, "b.c": "2" }, x: ["1", "2"], y: ["only"] },
  });
});

Deno.test("form fields: indexes make lists, in index order", () => {
  assert.deepEqual(readFormFields("items[1][sku]=B&items[0][sku]=A&items[0][qty]=2"), {
    ok: true,
    fields: { items: [{ sku: "A", qty: "2" }, { sku: "B" }] },
  });
  assert.deepEqual(readFormFields("m[0]=a&m[x]=b"), {
    ok: true,
    fields: { m: { 0: "a", x: "b" } },
  });
});

Deno.test("form fields: a name outside the grammar is one key as written; __proto__ is data", () => {
  assert.deepEqual(readFormFields("a[b=1&.c=2&d..e=3&=4"), {
    ok: true,
    fields: { "a[b": "1", ".c": "2", "d..e": "3", "": "4" },
  });
  const r = readFormFields("__proto__[polluted]=yes&constructor=x");
  assert.ok(r.ok);
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  assert.deepEqual(Object.getOwnPropertyNames(r.fields).sort(), ["__proto__", "constructor"]);
  assert.deepEqual(JSON.parse(JSON.stringify(r.fields)), {
    ["__proto__"]: { polluted: "yes" },
    constructor: "x",
  });
});

Deno.test("form fields: names that make one field both a value and a group are not read", () => {
  for (const form of ["a=1&a[b]=2", "a[b]=2&a=1", "a[b]=1&a[b][c]=2", "a=1&a=2&a.b=3"]) {
    const r = readFormFields(form);
    assert.equal(r.ok, false, form);
    assert.ok(!r.ok);
    assert.match(r.error, /form field 'a(\.b)?' is both a value and a group of fields/);
  }
  const r = readPayload("a=1&a[b]=2", FORM);
  assert.equal(r.kind, "uninspectable");
});

/** What a real upstream reads from each body: JSON text of the value, or "ERROR". */
async function upstreamReads(program: string, args: string[], bodies: Uint8Array[]) {
  const out = await new Deno.Command(program, {
    args: [...args, ...bodies.map((b) => btoa(String.fromCharCode(...b)))],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  return new TextDecoder().decode(out.stdout).trim().split("\n");
}

const PYTHON = `
import sys, json, base64
for arg in sys.argv[1:]:
    try: print(json.dumps(json.loads(base64.b64decode(arg)), sort_keys=True, ensure_ascii=False))
    except Exception: print("ERROR")
`;

const NODE = `
for (const arg of process.argv.slice(1)) {
  try { console.log(JSON.stringify(JSON.parse(Buffer.from(arg, "base64").toString()))); }
  catch { console.log("ERROR"); }
}
`;

Deno.test("payload: Mirage reads JSON whenever Python's json.loads(bytes) or Node's Buffer#toString does, and the same", async () => {
  const text = '{"destination_url":"https://pastebin.com/raw/x","n":1}';
  const bodies = [
    bytes(text),
    bytes('{"destination_url":"https://pastebin.com/raw/x","t":"', [0xff, 0xfe], '"}'),
    encode(text, "utf16le"),
    encode(text, "utf16be"),
    encode(`\uFEFF${text}`, "utf16le"),
    encode(text, "utf32le"),
    encode(`\uFEFF${text}`, "utf32be"),
    bytes([0xef, 0xbb, 0xbf], text),
  ];
  const python = await upstreamReads("/usr/bin/python3", ["-c", PYTHON], bodies);
  const node = await upstreamReads("/usr/bin/node", ["-e", NODE], bodies);
  bodies.forEach((body, i) => {
    const reads = [python[i], node[i]].filter((r) => r !== "ERROR").map((r) => JSON.parse(r!));
    assert.ok(reads.length > 0, `body ${i}: no upstream reads it`);
    const mirage = readPayload(body, JSON_TYPE);
    assert.equal(mirage.kind, "json", `body ${i}`);
    assert.ok(mirage.kind === "json");
    for (const r of reads) assert.deepEqual(mirage.value, r, `body ${i}`);
  });
});

const PYTHON_FORM = `
import sys, json, base64, urllib.parse
for arg in sys.argv[1:]:
    print(json.dumps(dict(urllib.parse.parse_qsl(base64.b64decode(arg).decode(), keep_blank_values=True))))
`;

const NODE_FORM = `
for (const arg of process.argv.slice(1)) {
  console.log(JSON.stringify(Object.fromEntries(new URLSearchParams(Buffer.from(arg, "base64").toString()))));
}
`;

Deno.test("payload: a declared form that parses as JSON is read as Python's parse_qsl and Node's URLSearchParams read it", async () => {
  const body = bytes(JSON_AND_FORM);
  const python = await upstreamReads("/usr/bin/python3", ["-c", PYTHON_FORM], [body]);
  const node = await upstreamReads("/usr/bin/node", ["-e", NODE_FORM], [body]);
  const mirage = readPayload(body, FORM);
  assert.ok(mirage.kind === "form");
  for (const read of [python[0], node[0]]) assert.deepEqual(mirage.value, JSON.parse(read!));
  assert.equal(mirage.value.destination_url, "https://pastebin.com/raw/x");
});
