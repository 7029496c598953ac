import assert from "node:assert/strict";

const ROOT = new URL("../../", import.meta.url);
const MAIN = new URL("src/cli/main.ts", ROOT).pathname;

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

async function mirage(...args: string[]): Promise<Result> {
  const command = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", MAIN, ...args],
    cwd: ROOT.pathname,
    stdout: "piped",
    stderr: "piped",
  });
  const { code, stdout, stderr } = await command.output();
  const decode = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code, stdout: decode(stdout), stderr: decode(stderr) };
}

async function withFiles(
  files: Record<string, string>,
  body: (dir: string) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir();
  try {
    for (const [name, text] of Object.entries(files)) {
      await Deno.writeTextFile(`${dir}/${name}`, text);
    }
    await body(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("check prints one summary line per valid file and exits 0", async () => {
  const r = await mirage(
    "check",
    "--policies",
    "policies/procurement.yaml",
    "--mocks",
    "mocks/procurement.yaml",
  );
  assert.equal(r.code, 0, r.stderr);
  assert.equal(
    r.stdout,
    "policies/procurement.yaml: ok · 4 policies (3 block, 1 flag)\nmocks/procurement.yaml: ok · 12 routes\n",
  );
  assert.equal(r.stderr, "");
});

const THREE_MISTAKES = [
  "policies:", //                           1
  "  - name: cap", //                       2
  "    paths: /v1/submit_bid", //           3  misspelt key
  "    field: amount", //                   4
  "    operator: maxx", //                  5  misspelt operator
  "    value: 25000", //                    6
  "    message: too much", //               7
  "  - name: notes", //                     8
  "    field: notes", //                    9
  "    operator: length_lte", //            10
  '    value: "x"', //                      11 wrong value type
  "    message: too long", //               12
  "",
].join("\n");

Deno.test("check reports every mistake of a file with its line and column", async () => {
  await withFiles({ "bad.yaml": THREE_MISTAKES }, async (dir) => {
    const r = await mirage("check", "--policies", `${dir}/bad.yaml`);
    assert.equal(r.code, 1);
    assert.equal(
      r.stdout,
      [
        `${dir}/bad.yaml:3:5: unknown key 'paths' (did you mean 'path'?)`,
        `${dir}/bad.yaml:5:15: unknown operator 'maxx' (did you mean 'max'?)`,
        `${dir}/bad.yaml:11:12: operator 'length_lte' needs a non-negative integer, got string "x"`,
        "",
      ].join("\n"),
    );
  });
});

Deno.test("check names a misspelt normalize step and suggests the step meant", async () => {
  const text = [
    "normalize: [url_decode, nfkd]",
    "policies:",
    "  - name: no_email",
    "    field: body",
    "    operator: not_regex_match",
    '    value: "@"',
    "    normalize: [html_decod]",
    "    message: m",
    "",
  ].join("\n");
  await withFiles({ "n.yaml": text }, async (dir) => {
    const r = await mirage("check", "--policies", `${dir}/n.yaml`);
    assert.equal(r.code, 1);
    assert.equal(
      r.stdout,
      [
        `${dir}/n.yaml:1:25: unknown normalize step 'nfkd' (did you mean 'nfkc'?)`,
        `${dir}/n.yaml:7:17: unknown normalize step 'html_decod' (did you mean 'html_decode'?)`,
        "",
      ].join("\n"),
    );
  });
});

Deno.test("check reports the errors of both files in one run", async () => {
  const mocks = "mocks:\n  - name: a\n    method: GET\n    path: nope\n";
  await withFiles({ "p.yaml": THREE_MISTAKES, "m.yaml": mocks }, async (dir) => {
    const r = await mirage("check", "-p", `${dir}/p.yaml`, "-m", `${dir}/m.yaml`);
    assert.equal(r.code, 1);
    const lines = r.stdout.trimEnd().split("\n");
    assert.equal(lines.length, 4);
    assert.equal(lines[3], `${dir}/m.yaml:4:11: invalid path 'nope': must start with '/'`);
  });
});

/** A pair of valid files, and the lines `check` prints for them (`DIR` is their directory). */
const LINTED: [string, string, string, string[]][] = [
  [
    "HTTP rules and routes",
    "policies:\n  - name: typo\n    path: /v2/sumbit\n    expr: 'true'\n    message: m\n",
    "mocks:\n  - name: a\n    method: GET\n    path: /v1/{x}\n  - name: b\n    method: GET\n    path: /v1/y\n",
    [
      "DIR/p.yaml: ok · 1 policy (1 block)",
      "DIR/p.yaml:2:5: warning: policy 'typo' (/v2/sumbit) matches none of the declared mocks",
      "DIR/m.yaml: ok · 2 routes",
      "DIR/m.yaml:5:5: warning: mock 'b' is never used: 'a' (line 2) is declared first and matches every request it matches",
    ],
  ],
  [
    "tool rules under strict_tools",
    "policies:\n  - name: refund_cap\n    tool: issue_refnd\n    field: amount\n    operator: max\n    value: 500\n    message: m\n",
    "strict_tools: true\ntools:\n  - name: refund\n    tool: issue_refund\n    result: { json: { ok: true } }\n",
    [
      "DIR/p.yaml: ok · 1 policy (1 block)",
      "DIR/p.yaml:2:5: warning: policy 'refund_cap' (tool issue_refnd) matches none of the declared tools: with strict_tools, calls to it are unmatched_route",
      "DIR/m.yaml: ok · 0 routes · 1 tool (strict)",
    ],
  ],
];

Deno.test("check prints lint warnings without failing", async (t) => {
  for (const [label, policies, mocks, lines] of LINTED) {
    await t.step(label, async () => {
      await withFiles({ "p.yaml": policies, "m.yaml": mocks }, async (dir) => {
        const r = await mirage("check", "--policies", `${dir}/p.yaml`, "--mocks", `${dir}/m.yaml`);
        assert.equal(r.code, 0);
        assert.equal(r.stdout, [...lines.map((l) => l.replace("DIR", dir)), ""].join("\n"));
      });
    });
  }
});

Deno.test("check lints a policies file given alone", async () => {
  const policies =
    "policies:\n  - name: typo\n    method: PSOT\n    path: /v1/x\n    field: a\n    operator: exists\n    message: m\n";
  await withFiles({ "p.yaml": policies }, async (dir) => {
    const r = await mirage("check", "--policies", `${dir}/p.yaml`);
    assert.equal(r.code, 0);
    assert.equal(
      r.stdout,
      [
        `${dir}/p.yaml: ok · 1 policy (1 block)`,
        `${dir}/p.yaml:3:5: warning: policy 'typo': 'PSOT' is not a registered HTTP method, so the rule matches no request that uses one (did you mean 'POST'?)`,
        "",
      ].join("\n"),
    );
  });
});

Deno.test("check --json prints one report object", async () => {
  await withFiles({ "bad.yaml": THREE_MISTAKES }, async (dir) => {
    const r = await mirage(
      "check",
      "--json",
      "--policies",
      `${dir}/bad.yaml`,
      "--mocks",
      "mocks/procurement.yaml",
    );
    assert.equal(r.code, 1);
    const report = JSON.parse(r.stdout);
    assert.equal(report.ok, false);
    assert.deepEqual(
      report.files.map((
        f: { kind: string; ok: boolean; count: number | null },
      ) => [f.kind, f.ok, f.count]),
      [
        ["policies", false, null],
        ["mocks", true, 12],
      ],
    );
    assert.deepEqual(report.files[0].errors[1], {
      file: `${dir}/bad.yaml`,
      line: 5,
      col: 15,
      message: "unknown operator 'maxx' (did you mean 'max'?)",
    });
    assert.deepEqual(report.files[1].warnings, []);
  });
});

Deno.test("check reports a missing file as an error", async () => {
  const r = await mirage("check", "--mocks", "no/such/mocks.yaml");
  assert.equal(r.code, 1);
  assert.equal(r.stdout, "no/such/mocks.yaml:1:1: mocks file not found: no/such/mocks.yaml\n");
});

Deno.test("usage errors exit 2 with a usage line", async (t) => {
  const cases: [string[], string][] = [
    [
      ["check"],
      "mirage check: give --policies, --mocks or both\nusage: mirage check [--policies P] [--mocks M] [--json]\n",
    ],
    [
      ["check", "--polices", "x"],
      "mirage check: Unknown option '--polices'\nusage: mirage check [--policies P] [--mocks M] [--json]\n",
    ],
    [
      ["check", "extra"],
      "mirage check: Unexpected argument 'extra'\nusage: mirage check [--policies P] [--mocks M] [--json]\n",
    ],
    [
      ["chek"],
      "mirage: unknown command 'chek' (did you mean 'check'?)\nRun 'mirage --help' for the list of commands.\n",
    ],
    [["version", "--short"], "mirage version: Unknown option '--short'\nusage: mirage version\n"],
  ];
  for (const [args, stderr] of cases) {
    await t.step(args.join(" "), async () => {
      const r = await mirage(...args);
      assert.equal(r.code, 2);
      assert.equal(r.stderr, stderr);
      assert.equal(r.stdout, "");
    });
  }
});

Deno.test("version and help", async () => {
  const config = JSON.parse(await Deno.readTextFile(new URL("deno.json", ROOT)));
  const version = await mirage("version");
  assert.deepEqual([version.code, version.stdout], [0, `mirage ${config.version}\n`]);
  for (const flag of ["--help", "-h", "help"]) {
    const help = await mirage(flag);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^usage: mirage <command> \[args\]\n/);
    assert.match(help.stdout, /\n {2}check +validate policy and mock files/);
    assert.match(help.stdout, /\n {2}version +print the version\n/);
  }
  const checkHelp = await mirage("help", "check");
  assert.equal(checkHelp.code, 0);
  assert.match(
    checkHelp.stdout,
    /^usage: mirage check \[--policies P\] \[--mocks M\] \[--json\]\n/,
  );
  assert.match(checkHelp.stdout, /--json/);
});

Deno.test("check refuses /dev/zero and a directory by name instead of reading them", async () => {
  const r = await mirage("check", "--policies", "/dev/zero", "--mocks", "/tmp");
  assert.equal(r.code, 1);
  assert.equal(
    r.stdout,
    "/dev/zero:1:1: policies file /dev/zero is not a regular file (a device, pipe or socket)\n" +
      "/tmp:1:1: mocks file /tmp is a directory\n",
  );
});

Deno.test("check reports what a user can act on: bytes, JSON, documents, CEL, field paths, depth", async () => {
  const rule = (line: string) => `policies:\n  - name: r\n    ${line}\n    message: m\n`;
  let deep = "policies:\n  - name: r\n    message: m\n    when:\n";
  let indent = "      ";
  for (let i = 0; i < 1000; i++) {
    deep += `${indent}not:\n`;
    indent += "  ";
  }
  deep += `${indent}field: amount\n${indent}operator: exists\n`;
  await withFiles({
    "json.json": '{"policies": [{"name": "r", "expr": "true", "message": "m"},]}',
    "two.yaml": "policies: []\n---\npolicies: []\n",
    "cel.yaml": rule("expr: 'nosuchfn(payload.quantity)'"),
    "path.yaml": rule("field: payload..x\n    operator: exists"),
    "deep.yaml": deep,
  }, async (dir) => {
    const bad = new TextEncoder().encode(rule("field: amount\n    operator: exists"));
    bad[17] = 0xff;
    await Deno.writeFile(`${dir}/utf8.yaml`, bad);
    const expected: Record<string, string> = {
      "json.json": "1:60: invalid JSON: a trailing comma before ']' (JSON allows none)",
      "two.yaml": "2:1: a policies file holds one YAML document; found 2 (remove the '---' lines)",
      "cel.yaml":
        "3:11: CEL: found no matching overload for 'nosuchfn(dyn)' (column 1 of the expression)",
      "path.yaml":
        "3:12: invalid field path 'payload..x': an empty segment (two dots in a row, or a dot at the start or end)",
      "deep.yaml": "202:401: nested more than 200 levels deep; Mirage reads at most 200",
      "utf8.yaml": "2:8: invalid UTF-8: byte 0xFF at offset 17; save the file as UTF-8",
    };
    for (const [name, message] of Object.entries(expected)) {
      const r = await mirage("check", "--policies", `${dir}/${name}`);
      assert.equal(r.code, 1, name);
      assert.equal(r.stdout, `${dir}/${name}:${message}\n`, name);
      assert.equal(r.stderr, "", name);
    }
  });
});
