/**
 * The action-set editor: the stored sets on the left; the open set's toolbar, layer palette, graph
 * canvas (React Flow), inspector and problems list. Validation runs on every change, debounced.
 */
import '@xyflow/react/dist/style.css';
import './editor.css';
import { ReactFlowProvider, useReactFlow } from '@xyflow/react';
import { useCallback, useEffect, useLayoutEffect, useRef } from 'react';
import type { LayerType } from '../../../../shared/layers';
import { useApp, useAppPick } from '../../store';
import { Canvas } from './Canvas';
import { currentDoc, docToSpec, type EditorDoc, type FlowNode } from './editor-doc';
import { Inspector } from './Inspector';
import { freeSpot, NODE_WIDTH, nodeSize } from './layout';
import { Palette } from './Palette';
import { Problems } from './Problems';
import { SetList } from './SetList';
import { Toolbar } from './Toolbar';

const VALIDATE_DELAY_MS = 150;

export function EditorView() {
  const load = useApp((s) => s.loadActionSets);
  const doc = useApp(currentDoc);

  useEffect(() => {
    if (!useApp.getState().actionSetsLoaded) void load();
  }, [load]);

  return (
    <section className="view ase">
      <SetList />
      {doc ? (
        <ReactFlowProvider>
          <EditorBody doc={doc} />
        </ReactFlowProvider>
      ) : (
        <div className="ase-empty">
          <p className="ase-muted">Select an action set on the left, or create one.</p>
        </div>
      )}
    </section>
  );
}

/** Re-validates when the set's content (not its layout) or the input shape changes. */
function useLiveValidation(doc: EditorDoc) {
  const { editorShape: shape, validateEditor: validate } = useAppPick('editorShape', 'validateEditor');
  // Positions and selection do not matter to validation; everything else does.
  const content = JSON.stringify(docToSpec(doc, { positions: false }));
  // Pending from the change itself, not from the delayed request: the count and the nodes' problem
  // notes shown until then are the old graph's (a layout effect, so never drawn as current).
  useLayoutEffect(() => {
    const first = useApp.getState().editorValidation === null;
    useApp.setState({ editorValidating: true });
    const timer = setTimeout(validate, first ? 0 : VALIDATE_DELAY_MS);
    return () => clearTimeout(timer);
  }, [doc.key, content, shape, validate]);
}

function EditorBody({ doc }: { doc: EditorDoc }) {
  useLiveValidation(doc);
  const addLayer = useApp((s) => s.addLayer);
  const flow = useReactFlow<FlowNode>();
  const canvasRef = useRef<HTMLDivElement | null>(null);

  /** A clicked palette item lands in the middle of the view, or the free spot nearest to it. */
  const addInView = useCallback(
    (type: LayerType) => {
      const rect = canvasRef.current?.getBoundingClientRect();
      const center = rect ? flow.screenToFlowPosition({ x: rect.left + rect.width / 2, y: rect.top + rect.height / 2 }) : { x: 0, y: 0 };
      const boxes = flow.getNodes().map((n) => {
        const size = nodeSize(n);
        return { x: n.position.x, y: n.position.y, w: size.width, h: size.height };
      });
      addLayer(type, freeSpot({ x: center.x - NODE_WIDTH / 2, y: center.y - 60 }, boxes));
    },
    [flow, addLayer],
  );

  return (
    <div className="ase-main">
      <Toolbar doc={doc} />
      <div className="ase-body">
        <Palette onAdd={addInView} />
        <Canvas doc={doc} wrapperRef={canvasRef} />
        <aside className="ase-side">
          <Inspector doc={doc} />
          <Problems />
        </aside>
      </div>
    </div>
  );
}
