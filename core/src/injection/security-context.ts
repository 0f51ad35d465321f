// securityContexts of the containers the engine adds: each satisfies the Pod Security `restricted` profile on its own,
// so an injected pod stays compliant whatever the pod-level settings are.
import type { V1SecurityContext } from '@kubernetes/client-node';

/** UID of the preload copier: the conventional distroless "nonroot" user. */
export const PRELOAD_COPIER_UID = 65532;
/** UID of the ADOT collector (its image is FROM scratch and needs no particular user; any non-root UID works). */
export const COLLECTOR_UID = 10001;

export function restrictedSecurityContext(uid: number): V1SecurityContext {
  return {
    runAsNonRoot: true,
    runAsUser: uid,
    runAsGroup: uid,
    allowPrivilegeEscalation: false,
    privileged: false,
    readOnlyRootFilesystem: true,
    capabilities: { drop: ['ALL'] },
    seccompProfile: { type: 'RuntimeDefault' },
  };
}
