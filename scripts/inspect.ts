// Reads the header of a compiled executable and says what it is, so the build can refuse an artifact
// that is not the format/architecture its name promises (no dependency on `file`).

export type BinaryFormat = "elf" | "macho" | "pe";
export type BinaryArch = "x64" | "arm64";

export interface BinaryInfo {
  format: BinaryFormat;
  arch: BinaryArch;
  /** ELF only: "musl" when the program interpreter is ld-musl, "glibc" for ld-linux, undefined for static. */
  libc?: "glibc" | "musl";
}

const ELF_MACHINE: Readonly<Record<number, BinaryArch>> = { 0x3e: "x64", 0xb7: "arm64" };
const MACHO_CPU: Readonly<Record<number, BinaryArch>> = { 0x01000007: "x64", 0x0100000c: "arm64" };
const PE_MACHINE: Readonly<Record<number, BinaryArch>> = { 0x8664: "x64", 0xaa64: "arm64" };
const PT_INTERP = 3;

/** Describes a 64-bit little-endian ELF, Mach-O or PE executable; throws on anything else. */
export function inspectBinary(bytes: Uint8Array): BinaryInfo {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(0, false) === 0x7f454c46) return inspectElf(bytes, view);
  if (view.getUint32(0, true) === 0xfeedfacf) return { format: "macho", arch: pick(MACHO_CPU, view.getUint32(4, true), "Mach-O cpu") };
  if (view.getUint16(0, false) === 0x4d5a) return inspectPe(view);
  throw new Error("not an ELF, 64-bit Mach-O or PE executable");
}

function inspectElf(bytes: Uint8Array, view: DataView): BinaryInfo {
  if (view.getUint8(4) !== 2 || view.getUint8(5) !== 1) throw new Error("ELF is not 64-bit little-endian");
  const arch = pick(ELF_MACHINE, view.getUint16(18, true), "ELF machine");
  const interpreter = elfInterpreter(bytes, view);
  if (interpreter === undefined) return { format: "elf", arch };
  return { format: "elf", arch, libc: interpreter.includes("musl") ? "musl" : "glibc" };
}

function elfInterpreter(bytes: Uint8Array, view: DataView): string | undefined {
  const tableOffset = Number(view.getBigUint64(32, true));
  const entrySize = view.getUint16(54, true);
  const count = view.getUint16(56, true);
  for (let index = 0; index < count; index++) {
    const entry = tableOffset + index * entrySize;
    if (view.getUint32(entry, true) !== PT_INTERP) continue;
    const offset = Number(view.getBigUint64(entry + 8, true));
    const size = Number(view.getBigUint64(entry + 32, true));
    return new TextDecoder().decode(bytes.subarray(offset, offset + size)).replace(/\0+$/, "");
  }
  return undefined;
}

function inspectPe(view: DataView): BinaryInfo {
  const header = view.getUint32(0x3c, true);
  if (view.getUint32(header, false) !== 0x50450000) throw new Error("MZ file without a PE header");
  return { format: "pe", arch: pick(PE_MACHINE, view.getUint16(header + 4, true), "PE machine") };
}

function pick(table: Readonly<Record<number, BinaryArch>>, value: number, what: string): BinaryArch {
  const arch = table[value];
  if (arch === undefined) throw new Error(`unsupported ${what} 0x${value.toString(16)}`);
  return arch;
}

if (import.meta.main) {
  for (const path of process.argv.slice(2)) {
    const info = inspectBinary(await Bun.file(path).bytes());
    process.stdout.write(`${path}: ${info.format} ${info.arch}${info.libc ? ` ${info.libc}` : ""}\n`);
  }
}
