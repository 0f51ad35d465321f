// The pod runner must give the app the env the kubelet would: these are the kubelet's rules.
import { describe, expect, it } from 'vitest';
import type { V1Pod } from '@kubernetes/client-node';
import { containerArgv, expandVariables, resolveContainerEnv } from './pod-env.js';

const placement = { nodeName: 'node-a', podIP: '10.1.2.3', hostIP: '10.0.0.9' };

const pod: V1Pod = {
  metadata: { name: 'checkout-7d9', namespace: 'shop', uid: 'uid-1', labels: { app: 'checkout' }, annotations: { team: 'payments' } },
  spec: {
    containers: [{
      name: 'app',
      command: ['node', '$(ENTRY)'],
      args: ['--name=$(POD_NAME)', '$$(POD_NAME)'],
      env: [
        { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
        { name: 'NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
        { name: 'APP', valueFrom: { fieldRef: { fieldPath: "metadata.labels['app']" } } },
        { name: 'TEAM', valueFrom: { fieldRef: { fieldPath: "metadata.annotations['team']" } } },
        { name: 'ENTRY', value: 'server.js' },
        { name: 'ATTRS', value: 'k8s.pod.name=$(POD_NAME),later=$(LATER)' },
        { name: 'LATER', value: 'x' },
      ],
    }],
  },
};

describe('kubelet env rules in the pod runner', () => {
  it('resolves downward-API fieldRefs, with the fake node for an unscheduled pod', () => {
    const env = resolveContainerEnv(pod, pod.spec!.containers[0]!, placement);
    expect(Object.fromEntries(env)).toMatchObject({ POD_NAME: 'checkout-7d9', NODE: 'node-a', APP: 'checkout', TEAM: 'payments' });
  });

  it('expands $(VAR) only over variables defined earlier, keeping later and unknown ones verbatim', () => {
    const env = resolveContainerEnv(pod, pod.spec!.containers[0]!, placement);
    expect(env.get('ATTRS')).toBe('k8s.pod.name=checkout-7d9,later=$(LATER)');
  });

  it('expands command and args, and $$ escapes a reference', () => {
    const env = resolveContainerEnv(pod, pod.spec!.containers[0]!, placement);
    expect(containerArgv(pod.spec!.containers[0]!, env)).toEqual(['node', 'server.js', '--name=checkout-7d9', '$(POD_NAME)']);
  });

  it('leaves text without references alone', () => {
    expect(expandVariables('--require /x/y.js', new Map([['X', '1']]))).toBe('--require /x/y.js');
  });
});
