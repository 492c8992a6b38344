// Copies into dist/node_modules the packages the bundles leave external (native addons and what they require at run
// time), keeping only the target platform's binaries, so the VSIX can be packaged with `--no-dependencies`.
//   node extension/package-natives.mjs [linux-x64]
import { cpSync, existsSync, readdirSync, rmSync } from 'node:fs';
import { join, sep } from 'node:path';

const [platform, arch] = (process.argv[2] ?? `${process.platform}-${process.arch}`).split('-');
const target = join('dist', 'node_modules');
const libc = platform === 'linux' ? '-glibc' : '';

// Each entry: a package and, for packages that carry every platform's binaries, the one folder of binaries to keep.
const packages = [
  { name: 'onnxruntime-node', binaries: join('bin', 'napi-v6'), keep: join('bin', 'napi-v6', platform, arch) },
  { name: 'onnxruntime-common' },
  { name: '@parcel/watcher', skip: ['src', 'scripts', 'binding.gyp'] },
  { name: `@parcel/watcher-${platform}-${arch}${libc}` },
  { name: 'detect-libc' },
  { name: 'is-glob' },
  { name: 'is-extglob' },
  { name: 'picomatch' },
];

/** npm hoists these; a missing one means the install differs from package-lock.json. */
function packageDir(name) {
  const dir = join('node_modules', name);
  if (!existsSync(join(dir, 'package.json'))) throw new Error(`${dir} is missing: run \`npm ci\` first`);
  return dir;
}

rmSync(target, { recursive: true, force: true });
for (const { name, binaries, keep, skip = [] } of packages) {
  const from = packageDir(name);
  const to = join(target, name);
  cpSync(from, to, {
    recursive: true,
    filter: (file) => {
      const rel = file.slice(from.length + 1);
      if (rel === 'node_modules' || rel.startsWith(`node_modules${sep}`)) return false;
      if (skip.some((s) => rel === s || rel.startsWith(s + sep))) return false;
      // Inside the binaries folder keep only the path to, and the contents of, the target's folder.
      if (binaries && rel.startsWith(binaries + sep)) return keep.startsWith(rel) || rel.startsWith(keep);
      return true;
    },
  });
  if (keep && !existsSync(join(to, keep))) throw new Error(`${name} has no binaries for ${platform}-${arch} (${join(from, keep)})`);
}
console.log(`dist/node_modules: ${readdirSync(target).join(', ')} for ${platform}-${arch}`);
