// The demo plant's facts, read from the same files the server loads
// (demo/plant.json and demo/hosts/*.xml), so expectations follow the data.
import { readFileSync } from "node:fs";
import { join } from "node:path";

export const DEMO_DIR = join(__dirname, "..", "..", "..", "demo");

export type RunState = "running" | "paused" | "shutoff";

export interface DemoDisk {
  device: string; // disk | cdrom
  target: string; // vda, sda, ...
  bus: string;
  format: string;
  source: string;
}

export interface DemoNic {
  mac: string;
  type: string; // bridge | network
  source: string; // bridge or network name
  model: string;
  vlan: string; // "" when untagged
}

export interface DemoDomain {
  name: string;
  uuid: string;
  kind: "vm" | "container";
  state: RunState;
  vcpus: number;
  memoryKib: number;
  disks: DemoDisk[];
  nics: DemoNic[];
}

export interface DemoHost {
  name: string;
  file: string;
  cpus: number;
  mhz: number;
  model: string;
  domains: DemoDomain[];
}

// <test:runstate> values: 1 = running, 3 = paused, 5 = shut off (demo/README.md).
const RUN_STATES: Record<string, RunState> = { "1": "running", "3": "paused", "5": "shutoff" };

const UNIT_KIB: Record<string, number> = {
  KiB: 1,
  k: 1,
  MiB: 1024,
  M: 1024,
  GiB: 1024 * 1024,
  G: 1024 * 1024,
};

function one(re: RegExp, text: string, what: string): string {
  const m = re.exec(text);
  if (!m) throw new Error(`demo data: no ${what} in ${text.slice(0, 120)}…`);
  return m[1];
}

function attr(tag: string, name: string): string {
  const m = new RegExp(`\\b${name}=['"]([^'"]*)['"]`).exec(tag);
  return m ? m[1] : "";
}

function parseDomain(type: string, body: string): DemoDomain {
  const name = one(/<name>([^<]+)<\/name>/, body, "name");
  const state = RUN_STATES[one(/<(?:\w+:)?runstate>(\d+)</, body, `runstate of ${name}`)];
  if (!state) throw new Error(`demo data: unknown runstate for ${name}`);
  const memTag = one(/(<memory\b[^>]*>\d+)<\/memory>/, body, `memory of ${name}`);
  const memValue = Number(/>(\d+)$/.exec(memTag)![1]);
  const unit = attr(memTag, "unit") || "KiB";
  const disks: DemoDisk[] = [];
  for (const m of body.matchAll(/<disk\b([^>]*)>([\s\S]*?)<\/disk>/g)) {
    const targetTag = one(/(<target\b[^>]*>)/, m[2], "disk target");
    const driverTag = /(<driver\b[^>]*>)/.exec(m[2])?.[1] ?? "";
    const sourceTag = /(<source\b[^>]*>)/.exec(m[2])?.[1] ?? "";
    disks.push({
      device: attr(m[1], "device") || "disk",
      target: attr(targetTag, "dev"),
      bus: attr(targetTag, "bus"),
      format: attr(driverTag, "type"),
      source: attr(sourceTag, "file") || attr(sourceTag, "dev") || attr(sourceTag, "volume"),
    });
  }
  const nics: DemoNic[] = [];
  for (const m of body.matchAll(/<interface\b([^>]*)>([\s\S]*?)<\/interface>/g)) {
    const sourceTag = /(<source\b[^>]*>)/.exec(m[2])?.[1] ?? "";
    const modelTag = /(<model\b[^>]*>)/.exec(m[2])?.[1] ?? "";
    nics.push({
      mac: attr(one(/(<mac\b[^>]*>)/, m[2], "mac"), "address"),
      type: attr(m[1], "type"),
      source: attr(sourceTag, "bridge") || attr(sourceTag, "network"),
      model: attr(modelTag, "type"),
      vlan: /<vlan\b[\s\S]*?<tag\b[^>]*\bid=['"](\d+)['"]/.exec(m[2])?.[1] ?? "",
    });
  }
  return {
    name,
    uuid: one(/<uuid>([^<]+)<\/uuid>/, body, `uuid of ${name}`),
    kind: type === "lxc" ? "container" : "vm",
    state,
    vcpus: Number(one(/<vcpu\b[^>]*>(\d+)<\/vcpu>/, body, `vcpu of ${name}`)),
    memoryKib: memValue * (UNIT_KIB[unit] ?? 1),
    disks,
    nics,
  };
}

function parseHost(name: string, file: string): DemoHost {
  const xml = readFileSync(join(DEMO_DIR, file), "utf8");
  const cpu = one(/<cpu>([\s\S]*?)<\/cpu>/, xml, "cpu");
  const n = (tag: string) => Number(one(new RegExp(`<${tag}>(\\d+)</${tag}>`), cpu, tag));
  const domains: DemoDomain[] = [];
  // `<mw:domain>` in metadata has a prefix, so it neither opens nor closes a match.
  for (const m of xml.matchAll(/<domain\s+type=['"](\w+)['"][^>]*>([\s\S]*?)<\/domain>/g)) {
    domains.push(parseDomain(m[1], m[2]));
  }
  return {
    name,
    file,
    cpus: n("nodes") * n("sockets") * n("cores") * n("threads"),
    mhz: n("mhz"),
    model: one(/<model>([^<]+)<\/model>/, cpu, "cpu model"),
    domains,
  };
}

function load(): DemoHost[] {
  const plant = JSON.parse(readFileSync(join(DEMO_DIR, "plant.json"), "utf8")) as {
    hosts: { name: string; file: string }[];
  };
  return plant.hosts.map((h) => parseHost(h.name, h.file));
}

export const DEMO_HOSTS: DemoHost[] = load();
export const DEMO_DOMAINS: (DemoDomain & { host: string })[] = DEMO_HOSTS.flatMap((h) =>
  h.domains.map((d) => ({ ...d, host: h.name })),
);

export function demoHost(name: string): DemoHost {
  const h = DEMO_HOSTS.find((x) => x.name === name);
  if (!h) throw new Error(`no demo host ${name}`);
  return h;
}

export function demoDomain(name: string): DemoDomain & { host: string } {
  const d = DEMO_DOMAINS.find((x) => x.name === name);
  if (!d) throw new Error(`no demo domain ${name}`);
  return d;
}

export function countByState(domains: { state: RunState }[]): Record<RunState, number> {
  const c: Record<RunState, number> = { running: 0, paused: 0, shutoff: 0 };
  for (const d of domains) c[d.state] += 1;
  return c;
}
