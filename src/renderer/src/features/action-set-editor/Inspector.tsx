/** The right-hand panel: the selected node's parameters, the selected edge, or the set itself. */
import { useEffect, useState } from 'react';
import { INPUT_ID, OUTPUT_ID } from '../../../../shared/action-set';
import { useApp, useAppPick } from '../../store';
import { layerInfo, paramHint, type ParamInfo } from './catalog';
import type { EditorDoc, FlowEdge, FlowNode } from './editor-doc';
import { useNodeProblems } from './Problems';
import type { Problem } from './validation';
import { choiceCount, formatValues, parseValuesText, sameValue, toggleValue, valuesOf, type ParamValue } from './values';

export function Inspector({ doc }: { doc: EditorDoc }) {
  const nodes = doc.nodes.filter((n) => n.selected);
  const edges = doc.edges.filter((e) => e.selected);
  let body;
  if (nodes.length === 1 && edges.length === 0) {
    const node = nodes[0];
    body = node.type === 'layer' ? <NodeInspector key={node.id} node={node} /> : <IoInspector node={node} />;
  } else if (edges.length === 1 && nodes.length === 0) body = <EdgeInspector edge={edges[0]} />;
  else if (nodes.length + edges.length > 1) body = <MultiInspector nodes={nodes} edges={edges} />;
  else body = <SetInspector doc={doc} />;
  return (
    <div className="ase-inspector" data-testid="inspector">
      {body}
    </div>
  );
}

function NodeInspector({ node }: { node: FlowNode }) {
  const problems = useNodeProblems(node.id);
  const { deleteElements, setParam } = useAppPick('deleteElements', 'setParam');
  const layer = node.data.layer ?? { type: '?' };
  const info = layerInfo(layer.type);
  const known = new Set(info?.params.map((p) => p.name) ?? []);
  const extra = Object.keys(layer).filter((k) => k !== 'type' && !known.has(k));
  const lists = (info?.params ?? []).filter((p) => valuesOf(layer[p.name]).length > 1);
  const choices = choiceCount(layer);
  const nodeLevel = problems.filter((p) => !p.param);
  return (
    <div className="ase-inspector-node">
      <div className={`ase-inspector-head ase-cat-${info?.category ?? 'unknown'}`}>
        <span className="ase-swatch" />
        <div>
          <div className="ase-inspector-title">{layer.type}</div>
          <div className="ase-muted">{info?.label ?? 'unknown layer type'}</div>
        </div>
      </div>
      <NodeIdField id={node.id} />
      {info?.params.map((param) => (
        <ParamField
          key={`${node.id}:${param.name}`}
          nodeId={node.id}
          info={param}
          value={layer[param.name]}
          problems={problems.filter((p) => p.param === param.name)}
        />
      ))}
      {info && info.params.length === 0 && <p className="ase-muted">This layer has no parameters.</p>}
      {extra.map((key) => (
        <div key={key} className="ase-field is-bad">
          <div className="ase-field-label">
            <span>{key}</span>
            <button type="button" className="ase-link" onClick={() => setParam(node.id, key, undefined)}>
              remove
            </button>
          </div>
          <div className="ase-field-error">{problems.find((p) => p.param === key)?.message ?? `unknown parameter "${key}"`}</div>
        </div>
      ))}
      <div className="ase-choices" data-testid="inspector-choices">
        Expands to <strong>{choices}</strong> {choices === 1 ? 'choice' : 'choices'}
        {lists.length > 0 && <span className="ase-muted"> ({lists.map((p) => `${valuesOf(layer[p.name]).length} ${p.name}`).join(' × ')})</span>}
      </div>
      {nodeLevel.length > 0 && (
        <ul className="ase-inspector-problems">
          {nodeLevel.map((p, i) => (
            <li key={i} className={`ase-sev-${p.severity}`}>
              {p.message}
            </li>
          ))}
        </ul>
      )}
      <DeleteAction label="Delete node" testId="delete-node" title="Delete this node and its edges (Delete key)" onClick={() => deleteElements([node.id], [])} />
    </div>
  );
}

function NodeIdField({ id }: { id: string }) {
  const renameNode = useApp((s) => s.renameNode);
  const [text, setText] = useState(id);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    setText(id);
    setError(null);
  }, [id]);
  const commit = () => {
    if (text === id) return setError(null);
    setError(renameNode(id, text));
  };
  return (
    <div className={`ase-field${error ? ' is-bad' : ''}`}>
      <label className="ase-field-label" htmlFor="ase-node-id">
        <span>id</span>
        <span className="ase-hint">names the node in edges</span>
      </label>
      <input
        id="ase-node-id"
        data-testid="inspector-node-id"
        value={text}
        spellCheck={false}
        onChange={(e) => setText(e.target.value)}
        onBlur={commit}
        onKeyDown={(e) => {
          if (e.key === 'Enter') commit();
          if (e.key === 'Escape') {
            setText(id);
            setError(null);
          }
        }}
      />
      {error && <div className="ase-field-error">{error}</div>}
    </div>
  );
}

/**
 * One parameter: a text field taking one value or a comma-separated list (each value one choice),
 * chips to toggle an enum's options, and the validation messages about it.
 */
function ParamField({ nodeId, info, value, problems }: { nodeId: string; info: ParamInfo; value: ParamValue | undefined; problems: Problem[] }) {
  const setParam = useApp((s) => s.setParam);
  const [text, setText] = useState(formatValues(value));
  // Follow changes made elsewhere (chips, import) without fighting the user's typing.
  useEffect(() => {
    setText((current) => (sameValue(parseValuesText(current), value) ? current : formatValues(value)));
  }, [value]);
  const values = valuesOf(value);
  const inputId = `ase-param-${info.name}`;
  const placeholder = info.required ? 'required' : info.default !== undefined ? `default ${info.default}` : `default ${info.omittedMeans ?? ''}`.trim();
  return (
    <div className={`ase-field${problems.length ? ' is-bad' : ''}`}>
      <label className="ase-field-label" htmlFor={inputId}>
        <span>{info.name}</span>
        <span className="ase-hint">{paramHint(info)}</span>
      </label>
      <input
        id={inputId}
        data-testid={`param-${info.name}`}
        value={text}
        placeholder={placeholder}
        spellCheck={false}
        autoComplete="off"
        onChange={(e) => {
          setText(e.target.value);
          setParam(nodeId, info.name, parseValuesText(e.target.value));
        }}
        onBlur={() => setText(formatValues(value))}
      />
      {info.kind === 'enum' ? (
        <div className="ase-chips">
          {(info.options ?? []).map((option) => {
            const on = values.includes(option);
            return (
              <button
                key={option}
                type="button"
                className={`ase-chip${on ? ' on' : ''}`}
                aria-pressed={on}
                data-testid={`param-${info.name}-${option}`}
                onClick={() => setParam(nodeId, info.name, toggleValue(value, option))}
              >
                {option}
              </button>
            );
          })}
        </div>
      ) : (
        values.length > 1 && (
          <div className="ase-chips">
            {values.map((v) => (
              <span key={String(v)} className="ase-chip on">
                {String(v)}
                <button type="button" aria-label={`remove ${String(v)}`} onClick={() => setParam(nodeId, info.name, toggleValue(value, v))}>
                  ×
                </button>
              </span>
            ))}
          </div>
        )
      )}
      {problems.map((p, i) => (
        <div key={i} className="ase-field-error">
          {p.message}
        </div>
      ))}
    </div>
  );
}

/** An inspector's delete button, at the foot of its panel. */
function DeleteAction(props: { label: string; testId: string; title?: string; disabled?: boolean; onClick: () => void }) {
  return (
    <div className="ase-inspector-actions">
      <button type="button" className="secondary ase-danger" data-testid={props.testId} title={props.title} disabled={props.disabled} onClick={props.onClick}>
        {props.label}
      </button>
    </div>
  );
}

function IoInspector({ node }: { node: FlowNode }) {
  const isInput = node.id === INPUT_ID;
  return (
    <div>
      <div className="ase-inspector-title">{isInput ? 'Input' : 'Output'}</div>
      <p className="ase-muted">
        {isInput
          ? 'Every network starts here, with the input shape chosen in the toolbar. With edges, connect Input to the layers a network may start with.'
          : 'A network may end here; the classifier head (flatten and a softmax layer) follows. With edges, connect the layers a network may end with to Output.'}
      </p>
      <p className="ase-muted">Input and Output are always there and cannot be deleted.</p>
    </div>
  );
}

function EdgeInspector({ edge }: { edge: FlowEdge }) {
  const deleteElements = useApp((s) => s.deleteElements);
  const text =
    edge.target === OUTPUT_ID
      ? `A network may end after ${edge.source}.`
      : edge.source === INPUT_ID
        ? `A network may start with ${edge.target}.`
        : edge.source === edge.target
          ? `${edge.source} may repeat.`
          : `${edge.target} may follow ${edge.source}.`;
  return (
    <div>
      <div className="ase-inspector-title">
        Edge <span className="ase-mono">{edge.source}</span> → <span className="ase-mono">{edge.target}</span>
      </div>
      <p className="ase-muted">{text}</p>
      <DeleteAction label="Delete edge" testId="delete-edge" title="Delete this edge (Delete key)" onClick={() => deleteElements([], [edge.id])} />
    </div>
  );
}

function MultiInspector({ nodes, edges }: { nodes: FlowNode[]; edges: FlowEdge[] }) {
  const deleteElements = useApp((s) => s.deleteElements);
  const deletable = nodes.filter((n) => n.type === 'layer');
  return (
    <div>
      <div className="ase-inspector-title">
        {nodes.length} {nodes.length === 1 ? 'node' : 'nodes'}, {edges.length} {edges.length === 1 ? 'edge' : 'edges'} selected
      </div>
      <DeleteAction
        label="Delete selection"
        testId="delete-selection"
        disabled={deletable.length + edges.length === 0}
        onClick={() => deleteElements(deletable.map((n) => n.id), edges.map((e) => e.id))}
      />
    </div>
  );
}

function SetInspector({ doc }: { doc: EditorDoc }) {
  const setMeta = useApp((s) => s.setEditorMeta);
  const layers = doc.nodes.filter((n) => n.type === 'layer').length;
  return (
    <div>
      <div className="ase-section-title">Set</div>
      <div className="ase-field">
        <label className="ase-field-label" htmlFor="ase-description">
          <span>description</span>
        </label>
        <textarea
          id="ase-description"
          data-testid="action-set-description"
          rows={4}
          value={doc.description}
          placeholder="What this set is for (optional)"
          onChange={(e) => setMeta({ description: e.target.value })}
        />
      </div>
      <p className="ase-muted">
        {layers} {layers === 1 ? 'layer node' : 'layer nodes'}, {doc.edges.length} {doc.edges.length === 1 ? 'edge' : 'edges'}.
      </p>
      <div className="ase-section-title">How it works</div>
      <ul className="ase-help">
        <li>Each node is a layer the agent may use. A parameter with several values (e.g. filters 16, 32, 64) gives one choice per value.</li>
        <li>An edge A → B means B may follow A. Input → A: a network may start with A; A → Output: it may end after A.</li>
        <li>With no edges at all, any order is allowed.</li>
        <li>Select a node to edit it; Delete removes the selected node or edge.</li>
      </ul>
    </div>
  );
}
