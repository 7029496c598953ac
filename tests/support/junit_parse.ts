/**
 * Just enough XML reading to check the JUnit the gate writes: suites, cases, failures, with
 * entities decoded. It also checks that every element it reads is closed.
 */

/** One parsed testcase. */
export interface ParsedCase {
  name: string;
  classname: string;
  failure?: { message: string; type: string; text: string };
}

/** One parsed testsuite. */
export interface ParsedSuite {
  attrs: Record<string, string>;
  cases: ParsedCase[];
}

function decode(text: string): string {
  return text.replaceAll("&lt;", "<").replaceAll("&gt;", ">").replaceAll("&quot;", '"')
    .replaceAll("&apos;", "'").replaceAll("&amp;", "&");
}

function attributes(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of text.matchAll(/([\w:-]+)="([^"]*)"/g)) {
    out[m[1] as string] = decode(m[2] as string);
  }
  return out;
}

function parseCase(m: RegExpMatchArray): ParsedCase {
  const attrs = attributes(m[1] as string);
  const c: ParsedCase = { name: attrs.name ?? "", classname: attrs.classname ?? "" };
  const body = m[3];
  if (body !== undefined) {
    const f = /<failure ([^>]*?)(?:\/>|>([\s\S]*?)<\/failure>)/.exec(body);
    if (f) {
      const fa = attributes(f[1] as string);
      c.failure = { message: fa.message ?? "", type: fa.type ?? "", text: decode(f[2] ?? "") };
    }
  }
  return c;
}

/** Parses the suites of a JUnit document; throws when it is not shaped as expected. */
export function parseJunit(xml: string): ParsedSuite[] {
  if (!xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites')) {
    throw new Error("no XML prolog");
  }
  if (!xml.trimEnd().endsWith("</testsuites>")) throw new Error("testsuites not closed");
  const suites: ParsedSuite[] = [];
  for (const s of xml.matchAll(/<testsuite ([^>]*?)(?:\/>|>([\s\S]*?)<\/testsuite>)/g)) {
    const body = s[2] ?? "";
    const cases = [...body.matchAll(/<testcase ([^>]*?)(\/>|>([\s\S]*?)<\/testcase>)/g)].map(
      parseCase,
    );
    suites.push({ attrs: attributes(s[1] as string), cases });
  }
  return suites;
}
