/** The canvas's node and edge components: a layer with its parameters, Input, Output, and "may follow". */
import { BaseEdge, getBezierPath, Handle, Position, type EdgeProps, type NodeProps } from '@xyflow/react';
import { formatShape } from '../../../../shared/shapes';
import { useApp } from '../../store';
import { layerInfo } from './catalog';
import type { FlowNode } from './editor-doc';
import { NODE_WIDTH } from './layout';
import { useNodeProblems } from './Problems';
import { datasetShape, type Problem } from './validation';
import { choiceCount, valuesOf } from './values';

function problemClass(problems: Problem[]): string {
  if (problems.some((p) => p.severity === 'error')) return 'has-error';
  return problems.length ? 'has-warning' : '';
}

export function LayerNode({ id, data, selected }: NodeProps<FlowNode>) {
  const problems = useNodeProblems(id);
  const layer = data.layer ?? { type: '?' };
  const info = layerInfo(layer.type);
  const known = new Set(info?.params.map((p) => p.name) ?? []);
  const extra = Object.keys(layer).filter((k) => k !== 'type' && !known.has(k));
  const badParams = new Set(problems.flatMap((p) => (p.param ? [p.param] : [])));
  const choices = choiceCount(layer);
  const className = ['ase-node', `ase-cat-${info?.category ?? 'unknown'}`, problemClass(problems), selected ? 'selected' : ''].filter(Boolean).join(' ');
  return (
    <div
      className={className}
      data-testid={`node-${id}`}
      data-problem={problems.length ? (problems.some((p) => p.severity === 'error') ? 'error' : 'warning') : undefined}
      title={problems.map((p) => p.message).join('\n') || undefined}
    >
      <Handle type="target" position={Position.Top} />
      <div className="ase-node-head">
        <span className="ase-node-type">{layer.type}</span>
        {id !== layer.type && <span className="ase-node-id">{id}</span>}
      </div>
      {(info?.params.length ?? 0) + extra.length > 0 && (
        <div className="ase-node-params">
          {info?.params.map((param) => {
            const value = layer[param.name];
            const isDefault = value === undefined;
            const shown = isDefault ? (param.default !== undefined ? String(param.default) : param.required ? 'missing' : `= ${param.omittedMeans ?? 'default'}`) : valuesOf(value).join(' · ');
            return (
              <div key={param.name} className={`ase-node-param${isDefault ? ' is-default' : ''}${badParams.has(param.name) ? ' is-bad' : ''}`}>
                <span className="k">{param.name}</span>
                <span className="v">{shown}</span>
              </div>
            );
          })}
          {extra.map((key) => (
            <div key={key} className="ase-node-param is-bad">
              <span className="k">{key}</span>
              <span className="v">{valuesOf(layer[key]).join(' · ')}</span>
            </div>
          ))}
        </div>
      )}
      <div className="ase-node-foot">
        {choices} {choices === 1 ? 'choice' : 'choices'}
      </div>
      {problems.length > 0 && (
        <ul className="ase-node-problems">
          {problems.slice(0, 3).map((p, i) => (
            <li key={i} className={`ase-sev-${p.severity}`}>
              {p.message}
            </li>
          ))}
          {problems.length > 3 && <li className="more">+{problems.length - 3} more</li>}
        </ul>
      )}
      <Handle type="source" position={Position.Bottom} />
    </div>
  );
}

export function InputNode({ id, selected }: NodeProps<FlowNode>) {
  const shape = useApp((s) => datasetShape(s.editorShape));
  const [h, w, c] = shape;
  return (
    <div className={`ase-node ase-io${selected ? ' selected' : ''}`} data-testid={`node-${id}`} title="Where every network starts">
      <div className="ase-io-title">Input</div>
      <div className="ase-io-sub">{formatShape({ kind: 'spatial', h, w, c })}</div>
      <Handle type="source" position={Position.Bottom} />
    </div>
  );
}

export function OutputNode({ id, selected }: NodeProps<FlowNode>) {
  return (
    <div className={`ase-node ase-io${selected ? ' selected' : ''}`} data-testid={`node-${id}`} title="Where a network may end; the classifier head follows">
      <Handle type="target" position={Position.Top} />
      <div className="ase-io-title">Output</div>
      <div className="ase-io-sub">classifier head</div>
    </div>
  );
}

/** "May follow": a curve from the source's bottom to the target's top; a loop for a node that may repeat. */
export function MayFollowEdge(props: EdgeProps) {
  const { id, source, target, sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition, markerEnd, style, interactionWidth } = props;
  let path: string;
  if (source === target) {
    // A loop of its own beside the node: down a little, out past its right side, up, and in from above,
    // clear of the node and of the edges that leave it downwards.
    const right = sourceX + NODE_WIDTH / 2 + 28;
    const below = sourceY + 18;
    const above = targetY - 18;
    const r = 10;
    path = [
      `M ${sourceX} ${sourceY} L ${sourceX} ${below - r} Q ${sourceX} ${below} ${sourceX + r} ${below}`,
      `L ${right - r} ${below} Q ${right} ${below} ${right} ${below - r} L ${right} ${above + r} Q ${right} ${above} ${right - r} ${above}`,
      `L ${targetX + r} ${above} Q ${targetX} ${above} ${targetX} ${above + r} L ${targetX} ${targetY}`,
    ].join(' ');
  } else if (targetY < sourceY - 10 && Math.abs(targetX - sourceX) < NODE_WIDTH) {
    // A back edge to a node above: around the left, clear of the forward edges.
    const r = NODE_WIDTH * 0.75;
    path = `M ${sourceX} ${sourceY} C ${sourceX - r} ${sourceY + 90}, ${targetX - r} ${targetY - 90}, ${targetX} ${targetY}`;
  } else {
    [path] = getBezierPath({ sourceX, sourceY, sourcePosition, targetX, targetY, targetPosition });
  }
  return <BaseEdge id={id} path={path} markerEnd={markerEnd} style={style} interactionWidth={interactionWidth ?? 18} />;
}

export const NODE_TYPES = { layer: LayerNode, 'io-input': InputNode, 'io-output': OutputNode };
export const EDGE_TYPES = { may: MayFollowEdge };
