/** One file of a lab package: its source under lab/packages/<pkg>/, where it goes, how it is made. */
export interface LabFile {
  src: string;
  dest: string;
  mode?: number;
  /** `c-library` and `c-program` are compiled with gcc; `text` has @VERSION@/@HEALTHY@ filled in. */
  kind?: 'text' | 'c-library' | 'c-program';
}

/** A lab package version, built with dpkg-deb into the lab's apt repository. */
export interface LabPackage {
  name: string;
  version: string;
  description: string;
  depends?: string;
  files: LabFile[];
  /** Maintainer scripts (postinst, prerm, ...) taken from lab/packages/<pkg>/. */
  scripts?: string[];
  /** Only for lab-web: whether /health answers 200. */
  healthy?: boolean;
}

const LIBDIR = '/usr/lib/x86_64-linux-gnu';

function labWeb(version: string, healthy: boolean, note: string): LabPackage {
  return {
    name: 'lab-web',
    version,
    description: `small HTTP service with /health for the patchwise lab (${note})`,
    depends: 'perl-base',
    healthy,
    files: [
      { src: 'lab-web.pl', dest: '/usr/lib/lab-web/lab-web.pl', kind: 'text' },
      { src: 'lab-web.service', dest: '/lib/systemd/system/lab-web.service' },
    ],
    scripts: ['postinst', 'prerm'],
  };
}

function labKernel(version: string): LabPackage {
  return {
    name: 'lab-kernel',
    version,
    description: 'stand-in kernel package for the patchwise lab: its postinst requests a reboot',
    files: [{ src: 'README', dest: '/usr/share/doc/lab-kernel/README', kind: 'text' }],
    scripts: ['postinst'],
  };
}

function labLibfoo(version: string): LabPackage {
  return {
    name: 'lab-libfoo',
    version,
    description: 'shared library of the patchwise lab (libfoo.so.1), used by lab-worker',
    files: [{ src: 'foo.c', dest: `${LIBDIR}/libfoo.so.1`, kind: 'c-library' }],
    scripts: ['postinst'],
  };
}

/** Every package version in the lab repository, for the rollout scenarios. */
export const LAB_PACKAGES: readonly LabPackage[] = [
  labWeb('1.0-1', true, 'initial version'),
  labWeb('1.0-2', true, 'fixed version'),
  labWeb('1.0-3', false, 'installs cleanly but its health check fails'),
  labKernel('1.0-1'),
  labKernel('1.0-2'),
  labLibfoo('1.0-1'),
  labLibfoo('1.0-2'),
  {
    name: 'lab-worker',
    version: '1.0-1',
    description: 'long-running service of the patchwise lab linked against libfoo.so.1',
    depends: 'lab-libfoo (>= 1.0)',
    files: [
      { src: 'lab-worker.c', dest: '/usr/sbin/lab-worker', kind: 'c-program', mode: 0o755 },
      { src: 'lab-worker.service', dest: '/lib/systemd/system/lab-worker.service' },
    ],
    scripts: ['postinst', 'prerm'],
  },
];

/** Versions every host gets at `up`, so that newer ones in the repository are pending. */
export const LAB_BASELINE = ['lab-kernel=1.0-1', 'lab-libfoo=1.0-1', 'lab-worker=1.0-1'] as const;
