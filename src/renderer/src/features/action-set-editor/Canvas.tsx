/** The graph: React Flow with the palette's drop target, "may follow" edges and the any-order note. */
import {
  Background,
  BackgroundVariant,
  Controls,
  MarkerType,
  Panel,
  ReactFlow,
  useNodesInitialized,
  useReactFlow,
  type Connection,
  type DefaultEdgeOptions,
  type FitViewOptions,
  type Edge,
} from '@xyflow/react';
import { useCallback, useEffect, type DragEvent, type RefObject } from 'react';
import { INPUT_ID, OUTPUT_ID } from '../../../../shared/action-set';
import { useApp, useAppPick } from '../../store';
import { isLayerType } from './catalog';
import type { EditorDoc, FlowNode } from './editor-doc';
import { EDGE_TYPES, NODE_TYPES } from './flow-parts';
import { NODE_WIDTH } from './layout';

/** The drag-and-drop payload type of a palette item. */
export const LAYER_DND_TYPE = 'application/x-gennerator-layer';

const EDGE_OPTIONS: DefaultEdgeOptions = { type: 'may', markerEnd: { type: MarkerType.ArrowClosed, width: 18, height: 18 } };
/** Room at the top for the notes and buttons over the canvas. */
/** Fitting never zooms out so far that the nodes' text (13 px and up) reads under 12 px; a large set then pans. */
const FIT_OPTIONS: FitViewOptions<FlowNode> = { padding: { top: '76px', bottom: '36px', left: '36px', right: '36px' }, maxZoom: 1, minZoom: 12 / 13 };
const DELETE_KEYS = ['Delete', 'Backspace'];

const validConnection = (c: Connection | Edge) => c.source !== OUTPUT_ID && c.target !== INPUT_ID;

export function Canvas({ doc, wrapperRef }: { doc: EditorDoc; wrapperRef: RefObject<HTMLDivElement | null> }) {
  const flow = useReactFlow<FlowNode>();
  const {
    editorNodesChange: onNodesChange, editorEdgesChange: onEdgesChange, editorConnect: connect, addLayer,
    autoLayout,
  } = useAppPick('editorNodesChange', 'editorEdgesChange', 'editorConnect', 'addLayer', 'autoLayout');

  const onDragOver = useCallback((event: DragEvent) => {
    if (!event.dataTransfer.types.includes(LAYER_DND_TYPE)) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = 'copy';
  }, []);

  const onDrop = useCallback(
    (event: DragEvent) => {
      const type = event.dataTransfer.getData(LAYER_DND_TYPE);
      if (!isLayerType(type)) return;
      event.preventDefault();
      const at = flow.screenToFlowPosition({ x: event.clientX, y: event.clientY });
      addLayer(type, { x: Math.round(at.x - NODE_WIDTH / 2), y: Math.round(at.y - 20) });
    },
    [flow, addLayer],
  );

  // A set without saved positions was laid out from guessed sizes: redo it with the real ones.
  const layoutMeasured = useApp((s) => s.layoutMeasured);
  const measured = useNodesInitialized();
  const validated = useApp((s) => s.editorValidation !== null); // problem texts change node heights
  useEffect(() => {
    if (!measured || !validated || !doc.needsLayout) return;
    const timer = setTimeout(() => {
      layoutMeasured(); // this clears needsLayout, and so this effect: the fit below must outlive it
      setTimeout(() => void flow.fitView(FIT_OPTIONS), 50); // once React Flow has the new positions
    }, 60);
    return () => clearTimeout(timer);
  }, [measured, validated, doc.needsLayout, layoutMeasured, flow]);

  const onConnect = useCallback((c: Connection) => connect(c.source, c.target), [connect]);
  const hasLayers = doc.nodes.some((n) => n.type === 'layer');

  return (
    <div className="ase-canvas" data-testid="canvas" ref={wrapperRef} onDragOver={onDragOver} onDrop={onDrop}>
      <ReactFlow<FlowNode>
        key={doc.viewKey}
        nodes={doc.nodes}
        edges={doc.edges}
        nodeTypes={NODE_TYPES}
        edgeTypes={EDGE_TYPES}
        defaultEdgeOptions={EDGE_OPTIONS}
        onNodesChange={onNodesChange}
        onEdgesChange={onEdgesChange}
        onConnect={onConnect}
        isValidConnection={validConnection}
        deleteKeyCode={DELETE_KEYS}
        fitView
        fitViewOptions={FIT_OPTIONS}
        minZoom={0.2}
        maxZoom={2}
      >
        <Background variant={BackgroundVariant.Dots} gap={16} size={1} color="#c9d0da" />
        <Controls showInteractive={false} position="bottom-left" />
        <Panel position="top-right">
          <button type="button" className="secondary ase-small" onClick={autoLayout} data-testid="auto-layout" title="Arrange the nodes along the edges">
            Tidy layout
          </button>
        </Panel>
        {(doc.edges.length === 0 || !hasLayers) && (
          <Panel position="top-left" className="ase-canvas-note-panel">
            <div className="ase-canvas-note" data-testid="canvas-note">
              {!hasLayers ? (
                <>
                  <strong>No layers yet.</strong> Drag a layer from the palette onto the canvas, or click it.
                </>
              ) : (
                <>
                  <strong>No edges: any order.</strong> Any layer may follow any other; a network may end anywhere. Drag from a node&rsquo;s bottom
                  handle to another&rsquo;s top handle to constrain the order.
                </>
              )}
            </div>
          </Panel>
        )}
      </ReactFlow>
    </div>
  );
}
