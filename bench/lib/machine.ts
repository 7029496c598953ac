/**
 * Facts about the machine a run measured on, stored beside every result so that numbers from
 * different runs are never compared blind.
 */

/** Machine facts. */
export interface MachineInfo {
  cpuModel: string;
  cores: number;
  memoryGiB: number;
  os: string;
  deno: string;
  v8: string;
  /** 1, 5 and 15 minute load averages at the start: other work on the machine skews timings. */
  loadAverage: number[];
}

async function cpuModel(): Promise<string> {
  try {
    const text = await Deno.readTextFile("/proc/cpuinfo");
    return text.match(/^model name\s*:\s*(.+)$/m)?.[1]?.trim() ?? "unknown";
  } catch {
    return "unknown";
  }
}

/** Reads the machine facts. */
export async function machineInfo(): Promise<MachineInfo> {
  return {
    cpuModel: await cpuModel(),
    cores: navigator.hardwareConcurrency,
    memoryGiB: Math.round((Deno.systemMemoryInfo().total / 2 ** 30) * 10) / 10,
    os: `${Deno.build.os} ${Deno.osRelease()} ${Deno.build.arch}`,
    deno: Deno.version.deno,
    v8: Deno.version.v8,
    loadAverage: Deno.loadavg(),
  };
}
