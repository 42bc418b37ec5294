/** The problems list: every error and warning of the live validation; a click shows the node. */
import { useReactFlow } from '@xyflow/react';
import { useApp, useAppPick } from '../../store';
import type { FlowNode } from './editor-doc';
import { nodeSize } from './layout';
import type { Problem } from './validation';

const NO_PROBLEMS: Problem[] = [];

/** The problems about one node (the same empty list while it has none, so selectors stay stable). */
export function useNodeProblems(nodeId: string): Problem[] {
  return useApp((s) => s.editorValidation?.byNode[nodeId] ?? NO_PROBLEMS);
}

export function Problems() {
  const { editorValidation: validation, selectElement } = useAppPick('editorValidation', 'selectElement');
  const flow = useReactFlow<FlowNode>();
  const problems = validation?.problems ?? [];
  const errors = problems.filter((p) => p.severity === 'error').length;
  const warnings = problems.length - errors;

  const show = (problem: Problem) => {
    if (!problem.nodeId) return;
    const node = flow.getNode(problem.nodeId);
    if (!node) return;
    selectElement(problem.nodeId);
    const { width, height } = nodeSize(node);
    void flow.setCenter(node.position.x + width / 2, node.position.y + height / 2, { zoom: Math.max(flow.getZoom(), 0.8), duration: 250 });
  };

  return (
    <section className="ase-problems" aria-label="Problems">
      <div className="ase-section-title">
        Problems
        {errors > 0 && <span className="ase-count ase-count-error" title="errors">{errors}</span>}
        {warnings > 0 && <span className="ase-count ase-count-warning" title="warnings">{warnings}</span>}
      </div>
      <ul data-testid="problems" data-errors={errors} data-warnings={warnings}>
        {problems.map((p, i) => (
          <li
            key={i}
            className={`ase-problem ase-sev-${p.severity}${p.nodeId ? ' has-node' : ''}`}
            data-kind={p.kind}
            data-node={p.nodeId}
            onClick={() => show(p)}
            title={p.nodeId ? 'Show this node' : undefined}
          >
            <span className="ase-problem-icon" aria-label={p.severity}>
              {p.severity === 'error' ? '✕' : '!'}
            </span>
            <span>
              {p.nodeId && <span className="ase-problem-node">{p.nodeId}</span>}
              {p.message}
            </span>
          </li>
        ))}
      </ul>
      {validation && problems.length === 0 && <p className="ase-ok">No problems: the set is valid for this input.</p>}
    </section>
  );
}
