// The sources the training corpus is extracted from, installed by name. Every one must be permissively licensed
// (checked against its Debian copyright file or npm package.json by corpus-rules.ts) and none may be a held-out project.

export interface DebianSource {
  kind: 'debian';
  package: string;
  /** Only files under these folders (the package also ships docs and data). */
  under?: string[];
}

export interface NpmSource {
  kind: 'npm';
  package: string;
  version: string;
}

export type Source = DebianSource | NpmSource;

/** Python libraries from Debian bookworm, chosen for breadth (web, data, science, systems, tooling). */
const PYTHON_LIBRARIES = [
  'django', 'sympy', 'scipy', 'numpy', 'pandas', 'sklearn', 'matplotlib', 'twisted', 'astropy', 'networkx', 'sqlalchemy',
  'tornado', 'aiohttp', 'botocore', 'boto3', 'jinja2', 'werkzeug', 'click', 'attr', 'dateutil', 'babel', 'psutil', 'pil',
  'lxml', 'bs4', 'html5lib', 'markdown', 'nltk', 'statsmodels', 'skimage', 'h5py-serial', 'tables', 'sqlparse', 'urllib3',
  'simplejson', 'msgpack', 'toolz', 'dask', 'fsspec', 'joblib', 'numba', 'gevent', 'eventlet', 'kombu', 'celery', 'redis',
  'pymongo', 'mock', 'coverage', 'pyflakes', 'pycodestyle', 'jedi', 'parso', 'isort', 'mypy', 'openpyxl', 'mpmath',
  'pexpect', 'prompt-toolkit', 'ipython', 'traitlets', 'nbformat', 'git', 'markupsafe', 'wtforms', 'marshmallow',
  'pydantic', 'starlette', 'httpx', 'anyio', 'trio', 'sortedcontainers', 'more-itertools', 'boltons', 'arrow', 'tz',
  'regex', 'rich', 'cachetools', 'jsonschema', 'docopt', 'configobj', 'elasticsearch', 'biopython', 'shapely', 'pyproj',
  'feedparser', 'icalendar', 'webob', 'bottle', 'falcon', 'cherrypy3', 'waitress', 'gunicorn', 'mako', 'alembic',
  'peewee', 'scrapy', 'patsy', 'xlrd', 'pyasn1', 'rsa', 'idna', 'zmq', 'kazoo', 'paste', 'pyramid', 'zope.interface',
  'tqdm', 'cffi', 'pycparser', 'ply', 'decorator', 'wrapt', 'future', 'docutils', 'dulwich',
];

/** npm libraries whose functions carry JSDoc summaries. */
const NPM_LIBRARIES: [name: string, version: string][] = [
  ['lodash', '4.17.21'], ['underscore', '1.13.7'], ['async', '3.2.6'], ['moment', '2.30.1'], ['validator', '13.12.0'],
  ['ramda', '0.30.1'], ['date-fns', '2.30.0'], ['immutable', '4.3.7'],
];

export const SOURCES: Source[] = [
  // Python's standard library ships in two packages (the modules the interpreter needs to start are in -minimal).
  { kind: 'debian', package: 'libpython3.11-minimal', under: ['/usr/lib/python3.11/'] },
  { kind: 'debian', package: 'libpython3.11-stdlib', under: ['/usr/lib/python3.11/'] },
  ...PYTHON_LIBRARIES.map((name): Source => ({ kind: 'debian', package: `python3-${name}`, under: ['/usr/lib/python3/dist-packages/'] })),
  // golang-src is an empty package that depends on this one.
  { kind: 'debian', package: 'golang-1.19-src', under: ['/usr/share/go-1.19/src/'] },
  // The standard library and the compiler; not src/ (tests, tools, vendored crates).
  { kind: 'debian', package: 'rust-src', under: ['/usr/src/rustc-1.63.0/library/', '/usr/src/rustc-1.63.0/compiler/'] },
  ...NPM_LIBRARIES.map(([name, version]): Source => ({ kind: 'npm', package: name, version })),
];

/**
 * Considered and left out. openjdk-17-source is GPL-2 with the Classpath Exception: the exception covers linking, not
 * reuse of the text, so it is not permissive and Java stays out of the corpus (ccc still indexes and searches Java).
 */
export const EXCLUDED_SOURCES: Record<string, string> = {
  'openjdk-17-source': 'GPL-2.0 with Classpath Exception: copyleft, not permissive',
};
