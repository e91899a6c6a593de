// Column mapping per data type and file layout (assign, move, undo, reset to the layout's automatic
// one) and the saved mapping templates. The mapping edited is always the shown file's (shownMappingKey).
import type { MappingTemplate } from '../../../shared/api.js';
import type { MappingField } from '../../../shared/job.js';
import { FIELDS_FOR } from '../logic/job.js';
import * as M from '../logic/mapping.js';
import { previewFile, shownMappingKey } from './preview.js';
import { errText, type SliceContext } from './slice.js';

/** What applying a template did, said next to the templates (for the mapping it was applied to). */
export interface TemplateNote {
  key: string;
  tone: 'ok' | 'warn' | 'error';
  text: string;
}

export interface MappingSlice {
  /** per data type and file layout (M.mappingKey): files of one layout share a mapping */
  mappings: M.Mappings;
  /** the engine's automatic mapping per data type and layout, for "reset" */
  autoColumns: Record<string, M.Columns>;
  selectedColumn: string | null;
  templates: MappingTemplate[];
  templateNote: TemplateNote | null;
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
  const mappingFor = (k: string): M.MappingState => get().mappings[k] ?? M.emptyMapping();
  /** Every mapping change goes through here: the preview shows the rows as the new mapping reads them. */
  const setMapping = (k: string, m: M.MappingState) => {
    set((s) => ({ mappings: { ...s.mappings, [k]: m } }));
    get().refreshPreview();
  };
  /** Applies a change to the shown file's mapping (none while no file of the type is shown). */
  const change = (f: (m: M.MappingState) => M.MappingState) => {
    const k = shownMappingKey(get());
    if (k) setMapping(k, f(mappingFor(k)));
  };

  return {
    mappings: {},
    autoColumns: {},
    selectedColumn: null,
    templates: [],
    templateNote: null,

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
      const k = shownMappingKey(get());
      if (k && M.canUndo(mappingFor(k))) change(M.undo);
    },

    resetMapping() {
      // The automatic mapping of the shown file's own layout; unknown yet: asked of the engine (an untouched mapping's preview brings it).
      const k = shownMappingKey(get());
      if (!k) return;
      const auto = get().autoColumns[k];
      change((m) => ({ ...(auto ? M.resetTo(m, auto) : m), touched: false, manual: [] }));
    },

    ...templateActions(ctx, mappingFor, setMapping),
  };
}

type TemplateActions = Pick<MappingSlice, 'saveTemplate' | 'applyTemplate' | 'deleteTemplate'>;

function templateActions(
  { api, set, get }: SliceContext,
  mappingFor: (k: string) => M.MappingState,
  setMapping: (k: string, m: M.MappingState) => void,
): TemplateActions {
  return {
    async saveTemplate(name) {
      const s = get();
      const t = s.previewType;
      const f = previewFile(s);
      const k = shownMappingKey(s);
      const tpl: MappingTemplate = {
        name: name.trim().slice(0, 80), dataType: t, columns: M.restrict(k ? mappingFor(k).columns : {}, FIELDS_FOR[t]),
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
      if (tpl.dataType !== s.previewType) get().setPreviewType(tpl.dataType);
      const f = previewFile(get());
      const k = shownMappingKey(get());
      if (!f || !k) {
        get().notify('error', `Template “${tpl.name}”: no file is used for ${tpl.dataType} to apply it to.`);
        return;
      }
      const { state, missing } = M.applyTemplate(mappingFor(k), tpl, f.info.columns);
      const verdict = templateVerdict(tpl, missing, f.info.name, k);
      set({ templateNote: verdict });
      // A template none of whose columns the file has changes nothing: it says so instead.
      if (verdict.tone === 'error') return;
      if (tpl.options) {
        set((st) => ({ files: st.files.map((x) => (x.info.path === f.info.path ? { ...x, options: { ...tpl.options } } : x)) }));
      }
      setMapping(k, state);
    },

    async deleteTemplate(name) {
      set({ templateNote: null });
      try {
        await api.deleteTemplate(name);
        set((s) => ({ templates: s.templates.filter((x) => x.name !== name) }));
      } catch (e) {
        get().notify('error', errText(e));
      }
    },
  };
}

/** What applying `tpl` to a file lacking `missing` of its columns does: fits, fits in part, or does not fit. */
export function templateVerdict(tpl: Pick<MappingTemplate, 'name' | 'columns'>, missing: string[], file: string, key: string): TemplateNote {
  const all = Object.values(tpl.columns).filter((c) => c !== undefined).length;
  const names = missing.map((c) => `“${c}”`).join(', ');
  if (!missing.length) return { key, tone: 'ok', text: `Template “${tpl.name}” applied: all ${all} of its columns are in ${file}.` };
  if (missing.length >= all) return { key, tone: 'error', text: `Template “${tpl.name}” does not fit ${file}: it has none of the template’s columns (${names}). The mapping is unchanged.` };
  return { key, tone: 'warn', text: `Template “${tpl.name}” fits ${file} in part: it has no column ${names}; those fields are left empty.` };
}
