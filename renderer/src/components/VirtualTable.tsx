// A virtualised grid table: only the rows in view are in the DOM, the header stays on top.
import { useRef, type ReactNode } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';

export interface VCol {
  key: string;
  label: ReactNode;
  /** CSS grid track, e.g. "64px" or "minmax(140px, 1fr)" */
  width?: string;
  /** minimum width in px, for the horizontal scroll extent */
  min?: number;
  className?: string;
}

export interface VirtualTableProps {
  label: string;
  columns: VCol[];
  rowCount: number;
  cell: (row: number, col: number) => ReactNode;
  rowClass?: (row: number) => string;
  rowHeight?: number;
  height?: number;
  testId?: string;
  /** rows grow to their content (text that wraps, e.g. a reject's full reason) and are measured */
  wrap?: boolean;
}

export function VirtualTable({ label, columns, rowCount, cell, rowClass, rowHeight = 34, height = 400, testId, wrap = false }: VirtualTableProps) {
  const scroller = useRef<HTMLDivElement>(null);
  const v = useVirtualizer({ count: rowCount, getScrollElement: () => scroller.current, estimateSize: () => rowHeight, overscan: 8 });
  const template = columns.map((c) => c.width ?? 'minmax(140px, 1fr)').join(' ');
  const minWidth = columns.reduce((a, c) => a + (c.min ?? 140), 0);
  const bodyHeight = Math.min(height, rowCount * rowHeight + rowHeight + 2);
  return (
    <div className={`vtable${wrap ? ' vtable-wrap' : ''}`} ref={scroller} style={{ height: Math.max(bodyHeight, rowHeight * 3) }} role="table" aria-label={label} aria-rowcount={rowCount + 1} data-testid={testId} tabIndex={0}>
      <div className="vtable-inner" style={{ minWidth }}>
        <div className="vrow vhead" role="row" style={{ gridTemplateColumns: template }}>
          {columns.map((c) => (
            <div key={c.key} role="columnheader" className={`vcell ${c.className ?? ''}`}>{c.label}</div>
          ))}
        </div>
        <div style={{ height: v.getTotalSize(), position: 'relative' }}>
          {v.getVirtualItems().map((it) => (
            <div
              key={it.key}
              role="row"
              aria-rowindex={it.index + 2}
              data-index={it.index}
              ref={wrap ? v.measureElement : undefined}
              className={`vrow ${wrap ? 'vrow-wrap ' : ''}${rowClass?.(it.index) ?? ''}`}
              style={{ gridTemplateColumns: template, transform: `translateY(${it.start}px)`, ...(wrap ? { minHeight: rowHeight } : { height: rowHeight }) }}
            >
              {columns.map((c, ci) => (
                <div key={c.key} role="cell" className={`vcell ${c.className ?? ''}`}>{cell(it.index, ci)}</div>
              ))}
            </div>
          ))}
        </div>
      </div>
    </div>
  );
}
