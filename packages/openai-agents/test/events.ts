/** Captures the lifecycle events of a test and reads the tree they form. */
import { strict as assert } from 'node:assert';
import { deregisterSubscriber, registerSubscriber, type LifecycleEvent, type ScopeEvent } from '@nemo-flow/runtime';

let n = 0;
export function captureEvents(): { events: LifecycleEvent[]; stop(): void } {
  const name = `agents-capture-${n++}`;
  const events: LifecycleEvent[] = [];
  registerSubscriber(name, (e) => void events.push(e));
  return { events, stop: () => void deregisterSubscriber(name) };
}

/** `name(category)` children of `uuid`, in order of start. */
export function childrenOf(events: LifecycleEvent[], uuid: string): string[] {
  return events
    .filter((e) => e.parent_uuid === uuid && (e.kind === 'mark' || (e as ScopeEvent).scope_category === 'start'))
    .map((e) => `${e.name}(${e.kind === 'mark' ? 'mark' : e.category})`);
}

export function startOf(events: LifecycleEvent[], name: string): ScopeEvent {
  const e = events.find((x) => x.kind === 'scope' && x.name === name && x.scope_category === 'start');
  assert.ok(e, `no start event for ${name}`);
  return e as ScopeEvent;
}

export function endOf(events: LifecycleEvent[], name: string): ScopeEvent {
  const e = events.find((x) => x.kind === 'scope' && x.name === name && x.scope_category === 'end');
  assert.ok(e, `no end event for ${name}`);
  return e as ScopeEvent;
}
