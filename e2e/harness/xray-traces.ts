// Reads what reached the X-Ray trace API (moto): trace summaries and their segment documents.
import { BatchGetTracesCommand, GetTraceSummariesCommand, XRayClient } from '@aws-sdk/client-xray';

export interface SegmentDocument {
  id: string;
  trace_id: string;
  start_time: number;
  name: string;
  origin?: string;
  fault?: boolean;
  error?: boolean;
  http?: { request?: { method?: string; url?: string }; response?: { status?: number } };
  annotations?: Record<string, unknown>;
  metadata?: Record<string, unknown>;
  aws?: Record<string, unknown>;
  subsegments?: SegmentDocument[];
  parent_id?: string;
}

export function traceClient(endpoint: string, region = 'us-east-1'): XRayClient {
  return new XRayClient({ endpoint, region, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
}

/** Every segment document of every trace stored since `since`. */
export async function storedSegments(client: XRayClient, since: Date): Promise<SegmentDocument[]> {
  const summaries = await client.send(new GetTraceSummariesCommand({ StartTime: since, EndTime: new Date(Date.now() + 60_000) }));
  const ids = (summaries.TraceSummaries ?? []).map((summary) => summary.Id).filter((id): id is string => Boolean(id));
  if (ids.length === 0) return [];
  const segments: SegmentDocument[] = [];
  for (let i = 0; i < ids.length; i += 5) {
    const traces = await client.send(new BatchGetTracesCommand({ TraceIds: ids.slice(i, i + 5) }));
    for (const trace of traces.Traces ?? []) {
      for (const segment of trace.Segments ?? []) {
        if (segment.Document) segments.push(JSON.parse(segment.Document) as SegmentDocument);
      }
    }
  }
  return segments;
}
