/**
 * Multipart bodies as the rules read them (docs/bodies.md#multipart): what real clients send is
 * read as real parsers read it — werkzeug (Flask), Node's undici and Deno's own `formData()` —
 * and a body those parsers read differently from each other is not read at all.
 */

import assert from "node:assert/strict";
import { readPayload } from "@mirage/core";
import { boundaryOf, readMultipart } from "../../src/engine/multipart.ts";
import { fileTextPaths, payloadOf } from "../../src/engine/payload.ts";

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

interface Sent {
  readonly name: string;
  readonly contentType: string;
  readonly body: Uint8Array;
}

/** A part as every parser below is asked to report it. */
type Reported = [name: string, filename: string | null, text: string];

/** werkzeug's reading of each body (text fields, then files), or "ERROR". */
const WERKZEUG = `
import sys, json, base64, io
from werkzeug.formparser import parse_form_data
for sent in json.load(sys.stdin):
    body = base64.b64decode(sent["body"])
    env = {"REQUEST_METHOD": "POST", "CONTENT_TYPE": sent["type"],
           "CONTENT_LENGTH": str(len(body)), "wsgi.input": io.BytesIO(body)}
    try:
        _, form, files = parse_form_data(env, silent=False)
        parts = [[n, None, v] for n, v in form.items(multi=True)]
        parts += [[n, f.filename, f.read().decode("utf-8", "replace")] for n, f in files.items(multi=True)]
        print(json.dumps(parts))
    except Exception:
        print(json.dumps("ERROR"))
`;

/** Node's (undici's) reading, in part order, or "ERROR". */
const NODE = `
let input = "";
for await (const chunk of process.stdin) input += chunk;
for (const sent of JSON.parse(input)) {
  try {
    const form = await new Response(Buffer.from(sent.body, "base64"), { headers: { "content-type": sent.type } }).formData();
    const parts = [];
    for (const [n, v] of form) parts.push(typeof v === "string" ? [n, null, v] : [n, v.name, await v.text()]);
    console.log(JSON.stringify(parts));
  } catch { console.log(JSON.stringify("ERROR")); }
}
`;

async function run(program: string, args: string[], sent: readonly Sent[]): Promise<unknown[]> {
  const child = new Deno.Command(program, {
    args,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  })
    .spawn();
  const writer = child.stdin.getWriter();
  await writer.write(enc(JSON.stringify(
    sent.map((s) => ({ type: s.contentType, body: s.body.toBase64() })),
  )));
  await writer.close();
  const out = await child.output();
  assert.equal(out.code, 0, dec(out.stderr));
  return dec(out.stdout).trim().split("\n").map((line) => JSON.parse(line));
}

/** Deno's `formData()`, in part order, or "ERROR". */
async function denoReads(s: Sent): Promise<unknown> {
  try {
    const form = await new Response(s.body as Uint8Array<ArrayBuffer>, {
      headers: { "content-type": s.contentType },
    }).formData();
    const parts: Reported[] = [];
    for (const [n, v] of form) {
      parts.push(typeof v === "string" ? [n, null, v] : [n, v.name, await v.text()]);
    }
    return parts;
  } catch {
    return "ERROR";
  }
}

/** Mirage's parts, as the parsers report them; "ERROR" when it does not read the body. */
function mirageReads(s: Sent): unknown {
  const boundary = boundaryOf(s.contentType);
  if (!boundary.ok) return "ERROR";
  const read = readMultipart(s.body, boundary.boundary);
  if (!read.ok) return "ERROR";
  return read.parts.map((p): Reported => [p.name, p.filename ?? null, dec(p.content)]);
}

/** werkzeug reports text fields before files: compare parts without their order. */
const unordered = (v: unknown) => Array.isArray(v) ? v.map((p) => JSON.stringify(p)).sort() : v;

/** A FormData as Deno's `fetch` sends it. */
async function fromDeno(name: string, form: FormData): Promise<Sent> {
  const request = new Request("http://x.test/", { method: "POST", body: form });
  return {
    name,
    contentType: request.headers.get("content-type") as string,
    body: await request.bytes(),
  };
}

/** A FormData as Node's `fetch` (undici) sends it. */
async function fromNode(): Promise<Sent> {
  const script = `
    const form = new FormData();
    form.append("destination_url", "https://pastebin.com/raw/x");
    form.append("tags[]", "a");
    form.append("tags[]", "b");
    form.append("doc", new Blob(["line one\\nline two\\n"], { type: "text/csv" }), "r.csv");
    const request = new Request("http://x.test/", { method: "POST", body: form });
    const body = Buffer.from(await request.arrayBuffer()).toString("base64");
    console.log(JSON.stringify({ type: request.headers.get("content-type"), body }));
  `;
  const out = await new Deno.Command("/usr/bin/node", { args: ["-e", script], stdout: "piped" })
    .output();
  const { type, body } = JSON.parse(dec(out.stdout));
  return { name: "node", contentType: type, body: Uint8Array.fromBase64(body) };
}

/** What `curl -F` sends, caught by a loopback server. */
async function fromCurl(dir: string): Promise<Sent> {
  await Deno.writeTextFile(`${dir}/notes.txt`, "card 4111 1111 1111 1111\n");
  let caught: Sent | undefined;
  await using server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, async (r) => {
    caught = {
      name: "curl",
      contentType: r.headers.get("content-type") as string,
      body: await r.bytes(),
    };
    return new Response("ok");
  });
  const out = await new Deno.Command("curl", {
    args: [
      "-sS",
      "-F",
      "destination_url=https://pastebin.com/raw/x",
      "-F",
      "amount=50000",
      "-F",
      `notes=@${dir}/notes.txt;type=text/plain`,
      `http://127.0.0.1:${server.addr.port}/`,
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(out.code, 0, dec(out.stderr));
  assert.ok(caught);
  return caught;
}

Deno.test("multipart: what Deno, Node and curl send is read part for part as werkzeug, Node and Deno read it", async () => {
  const dir = await Deno.makeTempDir({ prefix: "mirage-test-" });
  try {
    const deno = new FormData();
    deno.append("destination_url", "https://pastebin.com/raw/x");
    deno.append("note", 'é ✓ 𝄞, "quoted"\r\nand a second line');
    deno.append("payment[card_number]", "4111");
    deno.append("report", new File(["a,b\n1,2\n"], "report.csv", { type: "text/csv" }));
    deno.append("blob", new Blob([new Uint8Array([0, 1, 2, 0xff])]));
    const sent = [await fromDeno("deno", deno), await fromNode(), await fromCurl(dir)];
    const werkzeug = await run("/usr/bin/python3", ["-c", WERKZEUG], sent);
    const node = await run("/usr/bin/node", ["--input-type=module", "-e", NODE], sent);
    for (const [i, s] of sent.entries()) {
      const mirage = mirageReads(s);
      assert.notEqual(mirage, "ERROR", s.name);
      assert.deepEqual(node[i], mirage, `${s.name}: node`);
      assert.deepEqual(await denoReads(s), mirage, `${s.name}: deno`);
      assert.deepEqual(unordered(werkzeug[i]), unordered(mirage), `${s.name}: werkzeug`);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

const B = "XyZ";
const CT = `multipart/form-data; boundary=${B}`;
const part = (disposition: string, content = "v", headers = "") =>
  `--${B}\r\nContent-Disposition: form-data; ${disposition}\r\n${headers}\r\n${content}\r\n`;
const END = `--${B}--\r\n`;
const PASTE = part('name="destination_url"', "https://pastebin.com/raw/x") + END;

/** Bodies on which werkzeug, Node and Deno do not all agree: Mirage reads none of them. */
const DISPUTED: Record<string, string> = {
  "cut before the close delimiter": PASTE.slice(0, -12),
  "no close delimiter": part('name="destination_url"', "https://pastebin.com/raw/x"),
  "line feeds for line breaks": PASTE.replaceAll("\r\n", "\n"),
  "a delimiter after a bare line feed": part(
    'name="note"',
    `hello\n--${B}\r\n` +
      'Content-Disposition: form-data; name="destination_url"\r\n\r\nhttps://pastebin.com/raw/x',
  ) +
    END,
  "a preamble": `preamble\r\n${PASTE}`,
  "an epilogue": `${PASTE}epilogue`,
  "two names": part('name="a"; name="destination_url"') + END,
  "name*": part("name*=UTF-8''destination_url") + END,
  "no name": `--${B}\r\nContent-Disposition: form-data\r\n\r\nv\r\n${END}`,
  "an escaped quote": part('name="destination\\"url"') + END,
  "an escaped backslash": part('name="destination\\\\url"') + END,
  "base64 transfer encoding": part('name="a"', "aGk=", "Content-Transfer-Encoding: base64\r\n") +
    END,
  "a boundary string that is not a delimiter": part('name="a"') + `--${B}x\r\n` +
    part('name="destination_url"') + END,
  "a folded header": `--${B}\r\nContent-Disposition: form-data;\r\n name="a"\r\n\r\nv\r\n${END}`,
  "two content-dispositions":
    part('name="a"', "v", 'Content-Disposition: form-data; name="b"\r\n') +
    END,
};

Deno.test("multipart: a body real parsers read differently is uninspectable", async () => {
  const sent = Object.entries(DISPUTED).map(([name, body]) => ({
    name,
    contentType: CT,
    body: enc(body),
  }));
  const werkzeug = await run("/usr/bin/python3", ["-c", WERKZEUG], sent);
  const node = await run("/usr/bin/node", ["--input-type=module", "-e", NODE], sent);
  for (const [i, s] of sent.entries()) {
    const readings = new Set(
      [werkzeug[i], node[i], await denoReads(s)].map((r) => JSON.stringify(unordered(r))),
    );
    assert.ok(readings.size > 1, `${s.name}: the parsers agree (${[...readings]})`);
    const r = readPayload(s.body, CT);
    assert.equal(r.kind, "uninspectable", s.name);
    assert.ok(r.kind === "uninspectable");
    assert.match(r.reason, /^multipart body/, s.name);
    assert.doesNotMatch(r.reason, /pastebin/, `${s.name}: the reason quotes the body`);
  }
});

Deno.test("multipart: parts are fields as a form's are; a file is {filename, content_type, size, text}", () => {
  const body = part('name="amount"', "50000") +
    part('name="payment[card_number]"', "4111") +
    part('name="tag"', "a") + part('name="tag"', "b") +
    part('name="docs[]"; filename="a.txt"', "hello", "Content-Type: text/plain\r\n") +
    part('name="docs[]"; filename=""', "\u00ff") +
    part('name="bom"; filename="C:\\dir\\u.txt"', "\uFEFFhi") + END;
  const bytes = enc(body);
  const r = readPayload(bytes, `${CT}; charset=latin1`);
  assert.deepEqual(r, {
    kind: "multipart",
    value: {
      amount: "50000",
      payment: { card_number: "4111" },
      tag: ["a", "b"],
      docs: [
        { filename: "a.txt", content_type: "text/plain", size: 5, text: "hello" },
        { filename: "", content_type: "text/plain", size: 2, text: "\u00ff" },
      ],
      bom: { filename: "C:\\dir\\u.txt", content_type: "text/plain", size: 5, text: "hi" },
    },
  });
  assert.deepEqual(fileTextPaths(payloadOf(r)), [
    ["docs", 0, "text"],
    ["docs", 1, "text"],
    ["bom", "text"],
  ]);
  assert.deepEqual(readPayload(enc(END), CT), { kind: "multipart", value: {} });
});

Deno.test("multipart: names that make a field both a value and a group are not read", () => {
  const clash = part('name="a"') + part('name="a[b]"') + END;
  const r = readPayload(clash, CT);
  assert.ok(r.kind === "uninspectable");
  assert.match(r.reason, /form field 'a' is both a value and a group of fields/);
  const file = part('name="a"; filename="x"') + part('name="a[b]"') + END;
  assert.equal(readPayload(file, CT).kind, "uninspectable");
});

Deno.test("multipart: the boundary is the one parameter every parser takes", () => {
  assert.deepEqual(boundaryOf(`multipart/form-data; boundary=${B}`), { ok: true, boundary: B });
  assert.deepEqual(boundaryOf('multipart/form-data; charset=utf-8; BOUNDARY="a b:c"'), {
    ok: true,
    boundary: "a b:c",
  });
  for (
    const [type, why] of [
      ["multipart/form-data", /names no boundary/],
      ["multipart/form-data; boundary=a; boundary=b", /two boundaries/],
      [`multipart/form-data; boundary=${"x".repeat(71)}`, /1 to 70/],
      ['multipart/form-data; boundary="a "', /1 to 70/],
      ['multipart/form-data; boundary="a\\"b"', /do not parse/],
      ["multipart/form-data; boundary", /do not parse/],
    ] as const
  ) {
    const r = boundaryOf(type);
    assert.ok(!r.ok, type);
    assert.match(r.error, why, type);
    assert.equal(readPayload(PASTE, type).kind, "uninspectable", type);
  }
});
