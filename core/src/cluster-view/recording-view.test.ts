import { describe, expect, it } from 'vitest';
import type { XRayTracing } from '../api/types.js';
import type { ClusterView, ConfigMapLike } from '../ports.js';
import { lookupsStillHold, recordingView, type ViewLookup } from './recording-view.js';

class MutableView implements ClusterView {
  tracings: XRayTracing[] = [];
  configMap: ConfigMapLike = { metadata: { name: 'app', namespace: 'shop' } };
  listXRayTracings = () => [...this.tracings];
  getConfigMap = () => this.configMap;
  getNamespace = () => undefined;
  nativeSidecarsSupported = () => true;
  clusterName = () => 'prod';
}

describe('recordingView', () => {
  it('records every read with its arguments and result, and answers as the view does', () => {
    const view = new MutableView();
    const lookups: ViewLookup[] = [];
    const recording = recordingView(view, lookups);
    expect(recording.getConfigMap('shop', 'app')).toBe(view.configMap);
    expect(recording.clusterName()).toBe('prod');
    expect(lookups).toEqual([
      { method: 'getConfigMap', args: ['shop', 'app'], result: view.configMap },
      { method: 'clusterName', args: [], result: 'prod' },
    ]);
  });

  it('holds while every read returns the same objects, lists compared element by element', () => {
    const view = new MutableView();
    const lookups: ViewLookup[] = [];
    const recording = recordingView(view, lookups);
    recording.listXRayTracings('shop');
    recording.getConfigMap('shop', 'app');
    expect(lookupsStillHold(view, lookups)).toBe(true);
    view.configMap = { ...view.configMap };
    expect(lookupsStillHold(view, lookups)).toBe(false);
  });
});
