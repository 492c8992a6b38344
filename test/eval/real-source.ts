// Where a real project's source comes from. Nothing of it is committed here: the eval checks out the pinned commit from
// a git repository already on the machine, in this order:
//   1. a mirror left by the `fetch` tool: a `.mirror/<owner>+<name>/` folder in this checkout's folder or one above it
//      (or under CCC_EVAL_MIRRORS), holding a bare repository (`repo/`) or a clone;
//   2. CCC_EVAL_REPOS: a folder of clones, each named `<owner>+<name>`, `<owner>/<name>` or `<name>`;
//   3. neither: the project is skipped, with a line saying how to provide it.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { RealProject } from './real-set';

const REPO_ROOT = resolve(__dirname, '../..');

export type SourceLookup = { gitDir: string; from: string } | { skip: string };

export function findSource(project: RealProject, env = process.env): SourceLookup {
  const [owner, name] = project.repo.split('/') as [string, string];
  for (const mirrors of mirrorFolders(env)) {
    const gitDir = gitRepositoryIn(join(mirrors, `${owner}+${name}`));
    if (gitDir) return { gitDir, from: `mirror ${gitDir}` };
  }
  if (env.CCC_EVAL_REPOS) {
    for (const candidate of [`${owner}+${name}`, join(owner, name), name]) {
      const gitDir = gitRepositoryIn(join(env.CCC_EVAL_REPOS, candidate));
      if (gitDir) return { gitDir, from: `CCC_EVAL_REPOS ${gitDir}` };
    }
  }
  return {
    skip: `no copy of ${project.repo} here: fetch it (a .mirror/${owner}+${name} folder above this checkout), or clone it into ` +
      `$CCC_EVAL_REPOS/${owner}+${name} and run again`,
  };
}

/** `.mirror` folders from this checkout up to the file-system root, then CCC_EVAL_MIRRORS. */
function mirrorFolders(env: NodeJS.ProcessEnv): string[] {
  const folders: string[] = [];
  for (let dir = REPO_ROOT; ; dir = dirname(dir)) {
    const mirror = join(dir, '.mirror');
    if (existsSync(mirror)) folders.push(mirror);
    if (dirname(dir) === dir) break;
  }
  if (env.CCC_EVAL_MIRRORS) folders.push(env.CCC_EVAL_MIRRORS);
  return folders;
}

/** The git directory of a bare repository or clone at `dir` (or at `dir/repo`, the fetch tool's layout), or null. */
function gitRepositoryIn(dir: string): string | null {
  for (const candidate of [join(dir, 'repo'), dir]) {
    if (!existsSync(candidate)) continue;
    try {
      const gitDir = execFileSync('git', ['-C', candidate, 'rev-parse', '--absolute-git-dir'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
      if (gitDir) return gitDir;
    } catch {
      // not a repository: try the next layout
    }
  }
  return null;
}

/**
 * A temporary working tree of `commit`, cloned with `--shared` (no object copies) from `gitDir`. The caller deletes it
 * (withIndexedProject does). Throws with the git message when the commit is not in that repository.
 */
export function checkOut(gitDir: string, commit: string, label: string): string {
  const root = mkdtempSync(join(tmpdir(), `ccc-real-${label}-`));
  try {
    git(['clone', '--quiet', '--shared', '--no-checkout', gitDir, root]);
    git(['-C', root, 'checkout', '--quiet', '--detach', commit]);
    return root;
  } catch (error) {
    rmSync(root, { recursive: true, force: true });
    throw error;
  }
}

function git(args: string[]): void {
  try {
    execFileSync('git', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (error) {
    const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim();
    throw new Error(`git ${args.join(' ')} failed${stderr ? `: ${stderr}` : ''}`);
  }
}
