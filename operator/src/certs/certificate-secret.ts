// Reads and writes the Secret that holds the webhook PKI. Updates carry the resourceVersion that was read, so a
// write based on a stale read fails with 409 instead of overwriting another replica's certificates.
import type { V1Secret } from '@kubernetes/client-node';
import type { CoreApi } from '../k8s/rest/core.js';
import { FIELD_MANAGER, Labels, MANAGED_BY_VALUE } from '../../../core/src/constants.js';
import { describeApiError, isNotFound } from '../k8s/errors.js';
import type { WebhookPki } from './policy.js';
import { secretData } from './secret-codec.js';

export class CertificateSecret {
  constructor(
    private readonly core: CoreApi,
    readonly namespace: string,
    readonly name: string,
  ) {}

  /** The Secret, or undefined when it does not exist. */
  async read(): Promise<V1Secret | undefined> {
    try {
      return await this.core.readNamespacedSecret({ name: this.name, namespace: this.namespace });
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw new Error(`Failed to read Secret ${this.namespace}/${this.name}: ${describeApiError(error)}`, { cause: error });
    }
  }

  /** Creates the Secret (`current` undefined) or replaces the version `current` was read at; 409 if that is stale. */
  async write(current: V1Secret | undefined, pki: WebhookPki): Promise<void> {
    const body: V1Secret = {
      apiVersion: 'v1',
      kind: 'Secret',
      type: 'kubernetes.io/tls',
      metadata: {
        name: this.name,
        namespace: this.namespace,
        labels: { [Labels.managedBy]: MANAGED_BY_VALUE },
        resourceVersion: current?.metadata?.resourceVersion,
      },
      data: secretData(pki),
    };
    if (current) {
      await this.core.replaceNamespacedSecret({ name: this.name, namespace: this.namespace, body, fieldManager: FIELD_MANAGER });
    } else {
      await this.core.createNamespacedSecret({ namespace: this.namespace, body, fieldManager: FIELD_MANAGER });
    }
  }
}
