/** Every layer type of the catalog: drag one onto the canvas, or click (Enter) to add it in view. */
import type { DragEvent } from 'react';
import type { LayerType } from '../../../../shared/layers';
import { LAYER_DND_TYPE } from './Canvas';
import { LAYER_CATALOG } from './catalog';

export function Palette({ onAdd }: { onAdd: (type: LayerType) => void }) {
  const onDragStart = (event: DragEvent, type: LayerType) => {
    event.dataTransfer.setData(LAYER_DND_TYPE, type);
    event.dataTransfer.setData('text/plain', type);
    event.dataTransfer.effectAllowed = 'copy';
  };
  return (
    <div className="ase-palette" aria-label="Layer palette">
      <div className="ase-section-title">Layers</div>
      <p className="ase-muted ase-palette-hint">Drag onto the canvas or click to add.</p>
      {LAYER_CATALOG.map((info) => (
        <div
          key={info.type}
          className={`ase-palette-item ase-cat-${info.category}`}
          draggable
          role="button"
          tabIndex={0}
          data-testid={`palette-${info.type}`}
          title={`${info.label}${info.params.length ? ` (${info.params.map((p) => p.name).join(', ')})` : ''}`}
          onDragStart={(event) => onDragStart(event, info.type)}
          onClick={() => onAdd(info.type)}
          onKeyDown={(event) => {
            if (event.key === 'Enter' || event.key === ' ') {
              event.preventDefault();
              onAdd(info.type);
            }
          }}
        >
          <span className="ase-swatch" />
          <span className="ase-palette-text">
            <span className="ase-palette-name">{info.type}</span>
            <span className="ase-palette-label">{info.label}</span>
          </span>
        </div>
      ))}
    </div>
  );
}
