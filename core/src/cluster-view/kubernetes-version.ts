// What a Kubernetes version tells the injection: the one place that reads version numbers.

/** Native sidecars (restartPolicy: Always init containers) are on by default from Kubernetes 1.29. */
const NATIVE_SIDECARS_MINOR = 29;

/** `{ major: "1", minor: "30+" }` (the API server's /version; EKS reports minors like "29+") → native sidecars. */
export function supportsNativeSidecars(version: { major?: string; minor?: string }): boolean {
  const major = Number.parseInt(version.major ?? '', 10);
  const minor = Number.parseInt(version.minor ?? '', 10);
  if (!Number.isFinite(major) || !Number.isFinite(minor)) return false;
  return major > 1 || (major === 1 && minor >= NATIVE_SIDECARS_MINOR);
}
