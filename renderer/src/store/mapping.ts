// Column mapping per data type (assign, move, undo, reset to the automatic one) and the saved
// mapping templates.
import type { MappingTemplate } from '../../../shared/api.js';
import type { DataType, MappingField } from '../../../shared/job.js';
import { FIELDS_FOR } from '../logic/job.js';
import * as M from '../logic/mapping.js';
import { previewFile } from './preview.js';
import { errText, type SliceContext } from './slice.js';

export interface MappingSlice {
  mappings: Partial<Record<DataType, M.MappingState>>;
  /** the engine's automatic mapping per data type, for "reset" */
  autoColumns: Partial<Record<DataType, M.Columns>>;
  selectedColumn: string | null;
  templates: MappingTemplate[];
  selectColumn(c: string | null): void;
  assign(field: MappingField, column: string): void;
  assignSelected(field: MappingField): boolean;
  unassign(field: MappingField): void;
  moveField(from: MappingField, to: MappingField): void;
  undo(): void;
  resetMapping(): void;
  saveTemplate(name: string): Promise<void>;
  applyTemplate(name: string): void;
  deleteTemplate(name: string): Promise<void>;
}

export function mappingSlice(ctx: SliceContext): MappingSlice {
  const { set, get } = ctx;
  const mappingFor = (t: DataType): M.MappingState => get().mappings[t] ?? M.emptyMapping();
  /** Every mapping change goes through here: the preview shows the rows as the new mapping reads them. */
  const setMapping = (t: DataType, m: M.MappingState) => {
    set((s) => ({ mappings: { ...s.mappings, [t]: m } }));
    get().refreshPreview();
  };
  /** Applies a change to the shown data type's mapping. */
  const change = (f: (m: M.MappingState) => M.MappingState) => {
    const t = get().previewType;
    setMapping(t, f(mappingFor(t)));
  };

  return {
    mappings: {},
    autoColumns: {},
    selectedColumn: null,
    templates: [],

    selectColumn(c) {
      set((s) => ({ selectedColumn: s.selectedColumn === c ? null : c }));
    },

    assign(field, column) {
      change((m) => M.assign(m, field, column));
    },

    assignSelected(field) {
      const c = get().selectedColumn;
      if (!c) return false;
      get().assign(field, c);
      set({ selectedColumn: null });
      return true;
    },

    unassign(field) {
      change((m) => M.unassign(m, field));
    },

    moveField(from, to) {
      change((m) => M.move(m, from, to));
    },

    undo() {
      if (M.canUndo(mappingFor(get().previewType))) change(M.undo);
    },

    resetMapping() {
      const auto = get().autoColumns[get().previewType];
      if (auto) change((m) => M.resetTo(m, auto));
    },

    ...templateActions(ctx, mappingFor, setMapping),
  };
}

type TemplateActions = Pick<MappingSlice, 'saveTemplate' | 'applyTemplate' | 'deleteTemplate'>;

function templateActions(
  { api, set, get }: SliceContext,
  mappingFor: (t: DataType) => M.MappingState,
  setMapping: (t: DataType, m: M.MappingState) => void,
): TemplateActions {
  return {
    async saveTemplate(name) {
      const s = get();
      const t = s.previewType;
      const f = previewFile(s);
      const tpl: MappingTemplate = {
        name: name.trim().slice(0, 80), dataType: t, columns: M.restrict(mappingFor(t).columns, FIELDS_FOR[t]),
        ...(f && Object.keys(f.options).length ? { options: f.options } : {}),
      };
      if (!tpl.name) {
        get().notify('error', 'Give the template a name.');
        return;
      }
      try {
        await api.saveTemplate(tpl);
        const templates = await api.listTemplates().catch(() => [...s.templates.filter((x) => x.name !== tpl.name), tpl]);
        set({ templates });
        get().notify('info', `Template “${tpl.name}” saved.`);
      } catch (e) {
        get().notify('error', `The template was not saved: ${errText(e)}`);
      }
    },

    applyTemplate(name) {
      const s = get();
      const tpl = s.templates.find((x) => x.name === name);
      if (!tpl) return;
      const t = tpl.dataType;
      if (t !== s.previewType) set({ previewType: t });
      const f = previewFile(get());
      const cols = f?.info.columns ?? mappingFor(t).fileColumns;
      const { state, missing } = M.applyTemplate(mappingFor(t), tpl, cols);
      if (tpl.options && f) {
        set((st) => ({ files: st.files.map((x) => (x.info.path === f.info.path ? { ...x, options: { ...tpl.options } } : x)) }));
      }
      setMapping(t, state);
      if (missing.length) get().notify('error', `This file has no column ${missing.map((c) => `“${c}”`).join(', ')}; those fields are left empty.`);
      else get().notify('info', `Template “${tpl.name}” applied.`);
    },

    async deleteTemplate(name) {
      try {
        await api.deleteTemplate(name);
        set((s) => ({ templates: s.templates.filter((x) => x.name !== name) }));
      } catch (e) {
        get().notify('error', errText(e));
      }
    },
  };
}
