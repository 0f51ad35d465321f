import { describe, expect, it } from 'vitest';
import type { V1PodSpec } from '@kubernetes/client-node';
import { restrictedProfileViolations } from './restricted-profile.js';

const compliant = (): V1PodSpec => ({
  securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
  containers: [{ name: 'app', image: 'node:20', securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } } }],
});

describe('restrictedProfileViolations', () => {
  it('accepts a compliant pod', () => {
    expect(restrictedProfileViolations(compliant())).toEqual([]);
  });

  it.each<[string, (spec: V1PodSpec) => void, string]>([
    ['a root user', (s) => (s.containers[0]!.securityContext!.runAsUser = 0), 'runAsUser is 0'],
    ['privilege escalation', (s) => (s.containers[0]!.securityContext!.allowPrivilegeEscalation = true), 'allowPrivilegeEscalation'],
    ['missing drop ALL', (s) => (s.containers[0]!.securityContext!.capabilities = {}), 'drop ALL'],
    ['an added capability', (s) => (s.containers[0]!.securityContext!.capabilities!.add = ['NET_ADMIN']), 'NET_ADMIN'],
    ['no seccomp profile', (s) => delete s.securityContext!.seccompProfile, 'seccompProfile'],
    ['runAsNonRoot unset', (s) => delete s.securityContext!.runAsNonRoot, 'runAsNonRoot'],
    ['a hostPath volume', (s) => (s.volumes = [{ name: 'h', hostPath: { path: '/' } }]), 'hostPath'],
    ['hostNetwork', (s) => (s.hostNetwork = true), 'hostNetwork'],
    ['a hostPort', (s) => (s.containers[0]!.ports = [{ containerPort: 80, hostPort: 80 }]), 'hostPort'],
    ['an init container without a securityContext', (s) => (s.initContainers = [{ name: 'init' }]), 'container "init"'],
  ])('flags %s', (_, breakIt, message) => {
    const spec = compliant();
    breakIt(spec);
    expect(restrictedProfileViolations(spec).join('\n')).toContain(message);
  });
});
