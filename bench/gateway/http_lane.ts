/**
 * One keep-alive HTTP/1.1 connection for the paced generator: it writes a request given as bytes
 * and reads the answer just far enough to know its status and where it ends (`content-length`
 * or chunked), one exchange at a time. Nothing is decoded or kept: the generator's own cost per
 * request must stay far below the latencies it measures.
 */

const CR = 13;
const LF = 10;

/** A connection, reopened after a failure. */
export class HttpLane {
  readonly #hostname: string;
  readonly #port: number;
  #conn: Deno.TcpConn;
  readonly #buf = new Uint8Array(64 * 1024);
  /** Unread bytes are `#buf[#start, #end)`. */
  #start = 0;
  #end = 0;

  private constructor(hostname: string, port: number, conn: Deno.TcpConn) {
    this.#hostname = hostname;
    this.#port = port;
    this.#conn = conn;
  }

  /** Connects to `hostname:port`. */
  static async open(hostname: string, port: number): Promise<HttpLane> {
    return new HttpLane(hostname, port, await HttpLane.#connect(hostname, port));
  }

  static async #connect(hostname: string, port: number): Promise<Deno.TcpConn> {
    const conn = await Deno.connect({ hostname, port });
    conn.setNoDelay(true);
    return conn;
  }

  /** Sends `request` and reads its whole answer; resolves with the status code. */
  async exchange(request: Uint8Array): Promise<number> {
    for (let at = 0; at < request.length;) at += await this.#conn.write(request.subarray(at));
    const status = Number((await this.#line()).split(" ")[1]);
    let length = 0;
    let chunked = false;
    for (let line = await this.#line(); line !== ""; line = await this.#line()) {
      const colon = line.indexOf(":");
      const name = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim().toLowerCase();
      if (name === "content-length") length = Number(value);
      if (name === "transfer-encoding") chunked = value.includes("chunked");
    }
    if (!chunked) await this.#skip(length);
    else {
      for (let size = parseInt(await this.#line(), 16); size > 0;) {
        await this.#skip(size + 2);
        size = parseInt(await this.#line(), 16);
      }
      while ((await this.#line()) !== "") { /* trailers */ }
    }
    return status;
  }

  /** Drops the connection and opens a new one. */
  async reconnect(): Promise<void> {
    this.close();
    this.#start = this.#end = 0;
    this.#conn = await HttpLane.#connect(this.#hostname, this.#port);
  }

  /** Closes the connection. */
  close(): void {
    try {
      this.#conn.close();
    } catch {
      // Already closed.
    }
  }

  /** Reads more bytes after the unread ones; fails when the peer closed. */
  async #fill(): Promise<void> {
    if (this.#start > 0) {
      this.#buf.copyWithin(0, this.#start, this.#end);
      this.#end -= this.#start;
      this.#start = 0;
    }
    if (this.#end === this.#buf.length) throw new Error("answer line too long");
    const n = await this.#conn.read(this.#buf.subarray(this.#end));
    if (n === null) throw new Error("the server closed the connection");
    this.#end += n;
  }

  /** The next line, without its CRLF (ASCII). */
  async #line(): Promise<string> {
    for (let from = this.#start;;) {
      for (let i = from; i + 1 < this.#end; i++) {
        if (this.#buf[i] === CR && this.#buf[i + 1] === LF) {
          const line = String.fromCharCode(...this.#buf.subarray(this.#start, i));
          this.#start = i + 2;
          return line;
        }
      }
      const seen = this.#end - this.#start;
      await this.#fill();
      from = this.#start + Math.max(0, seen - 1);
    }
  }

  /** Skips `n` bytes. */
  async #skip(n: number): Promise<void> {
    for (let left = n;;) {
      const take = Math.min(left, this.#end - this.#start);
      this.#start += take;
      left -= take;
      if (left === 0) return;
      this.#start = this.#end = 0;
      const read = await this.#conn.read(this.#buf);
      if (read === null) throw new Error("the server closed the connection");
      this.#end = read;
    }
  }
}
