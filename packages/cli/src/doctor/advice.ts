/** What to do about each problem `nemo-flow doctor` can find. Pure: easy to read and to test. */
import type { ProbeResult } from './probe.js';

export interface Problem {
  /** What is wrong, naming the part. */
  problem: string;
  /** What to do about it. */
  fix: string;
}

export function otlpAdvice(url: string, protocol: string, r: ProbeResult): Problem | undefined {
  if (r.ok) return undefined;
  let port = '';
  try {
    port = new URL(url).port;
  } catch {
    // reported below as it is
  }
  if (r.status === 404) {
    return {
      problem: `OTLP endpoint ${url} answered 404: nothing serves traces at that path`,
      fix: 'OTLP/HTTP traces go to /v1/traces: set OTEL_EXPORTER_OTLP_ENDPOINT to the base URL (e.g. http://localhost:4318, the path is appended) or make OTEL_EXPORTER_OTLP_TRACES_ENDPOINT end in /v1/traces',
    };
  }
  if (r.status === 415 || r.status === 400) {
    return {
      problem: `OTLP endpoint ${url} rejected a ${protocol} request (HTTP ${r.status})`,
      fix: `the receiver expects the other encoding: set OTEL_EXPORTER_OTLP_PROTOCOL to ${protocol === 'http/json' ? 'http/protobuf' : 'http/json'}`,
    };
  }
  if (r.status !== undefined) {
    return {
      problem: `OTLP endpoint ${url} ${r.reason}`,
      fix: 'check the receiver’s logs; 401/403 usually means OTEL_EXPORTER_OTLP_HEADERS lacks the credentials it expects',
    };
  }
  const grpc = port === '4317' ? ' Port 4317 is OTLP/gRPC; this exporter speaks OTLP/HTTP, usually on 4318.' : '';
  return {
    problem: `OTLP endpoint ${url} does not answer: ${r.reason}`,
    fix: `start the collector (Jaeger, Phoenix, an OpenTelemetry Collector) or point OTEL_EXPORTER_OTLP_ENDPOINT at where it listens.${grpc}`,
  };
}

/** A sampler that records nothing (or almost nothing) explains an empty backend. */
export function samplerAdvice(sampler: string | undefined, arg: string | undefined): Problem | undefined {
  if (sampler === 'always_off' || sampler === 'parentbased_always_off') {
    return {
      problem: `OTEL_TRACES_SAMPLER=${sampler}: no span is recorded`,
      fix: 'unset OTEL_TRACES_SAMPLER (the default records every span) or use parentbased_traceidratio',
    };
  }
  if ((sampler === 'traceidratio' || sampler === 'parentbased_traceidratio') && arg !== undefined && Number(arg) === 0) {
    return {
      problem: `OTEL_TRACES_SAMPLER_ARG=${arg}: the ratio sampler records no trace`,
      fix: 'set OTEL_TRACES_SAMPLER_ARG to the fraction to keep, e.g. 1 (all) or 0.1',
    };
  }
  return undefined;
}

export function folderAdvice(folder: string, why: string): Problem {
  return {
    problem: `output folder ${folder} is not writable: ${why}`,
    fix: `make ${folder} writable by this user, or set output_dir (or the section's path/dir) to a writable folder`,
  };
}

export function initAdvice(message: string): Problem {
  const folder = /cannot open (\S+) for writing|not writable|cannot be created/.test(message);
  return {
    problem: `the configuration could not be activated: ${message}`,
    fix: folder
      ? 'make the output folder writable by this user, or set output_dir in the configuration to a writable folder'
      : 'fix the configuration file (`nemo-flow validate-config FILE` lists every problem) or unset NEMO_FLOW_CONFIG to use the default',
  };
}
