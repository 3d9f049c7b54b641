/**
 * Mesa 25's lavapipe, unpacked (not installed) into .cache/lavapipe by scripts/ensure-lavapipe.sh:
 * the CPU Vulkan driver on which Dawn exposes `shader-f16` (SwiftShader does not).
 *
 * The env it returns only works for a process STARTED with it (the dynamic loader reads
 * LD_LIBRARY_PATH once): spawn a child, e.g.
 *   spawnSync(process.execPath, [...], { env: { ...process.env, ...lavapipeEnv() } })
 * Node-only (node:fs); never import it from code that runs in the browser.
 */
import { existsSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const CACHE = fileURLToPath(new URL('../../.cache/lavapipe', import.meta.url));
const MULTIARCH: Record<string, string> = { x64: 'x86_64-linux-gnu', arm64: 'aarch64-linux-gnu' };
const CHROMIUM_LIB = '/usr/lib/chromium';

/**
 * VK_ICD_FILENAMES (a copy of lavapipe's ICD json whose library_path is the unpacked .so) and
 * LD_LIBRARY_PATH (the unpacked libraries, a Vulkan loader, then the caller's own), or null
 * when the folder is missing or incomplete, or no Vulkan loader can be found.
 */
export function lavapipeEnv(cacheDir: string = CACHE): Record<string, string> | null {
  const arch = MULTIARCH[process.arch];
  if (process.platform !== 'linux' || !arch || !existsSync(join(cacheDir, '.complete'))) return null;
  const root = join(cacheDir, 'root');
  const libDirs = [`usr/lib/${arch}`, `lib/${arch}`].map((d) => join(root, d)).filter((d) => existsSync(d));
  const driver = libDirs.map((d) => join(d, 'libvulkan_lvp.so')).find((f) => existsSync(f));
  const icdDir = join(root, 'usr/share/vulkan/icd.d');
  const icdName = existsSync(icdDir) ? readdirSync(icdDir).find((f) => /^lvp_icd.*\.json$/.test(f)) : undefined;
  if (!driver || !icdName) return null;

  const loaderDirs = libDirs.filter((d) => existsSync(join(d, 'libvulkan.so.1')));
  if (!loaderDirs.length && !systemLoader()) {
    if (!existsSync(join(CHROMIUM_LIB, 'libvulkan.so.1'))) return null;
    loaderDirs.push(CHROMIUM_LIB);
  }

  // The packaged json names the driver by a bare or /usr/lib path: point a copy at the unpacked one.
  const icd = JSON.parse(readFileSync(join(icdDir, icdName), 'utf8')) as { ICD: { library_path: string } };
  icd.ICD.library_path = driver;
  const patched = join(cacheDir, 'lvp_icd.json');
  const text = `${JSON.stringify(icd, null, 2)}\n`;
  if (!existsSync(patched) || readFileSync(patched, 'utf8') !== text) {
    const tmp = `${patched}.${process.pid}`;
    writeFileSync(tmp, text);
    renameSync(tmp, patched); // atomic: parallel test workers may race here
  }

  const path = [...new Set([...libDirs, ...loaderDirs])];
  if (process.env.LD_LIBRARY_PATH) path.push(process.env.LD_LIBRARY_PATH);
  return { VK_ICD_FILENAMES: patched, LD_LIBRARY_PATH: path.join(':') };
}

function systemLoader(): boolean {
  const arch = MULTIARCH[process.arch];
  return [`/usr/lib/${arch}/libvulkan.so.1`, `/lib/${arch}/libvulkan.so.1`, '/usr/lib/libvulkan.so.1'].some((f) =>
    existsSync(f),
  );
}
