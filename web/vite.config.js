// Vite build of the kechuang web UI. The output (web/dist) is embedded into
// the binary by tools/embed.c; see docs/ui.md.
import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'
import Components from 'unplugin-vue-components/vite'
import { ElementPlusResolver } from 'unplugin-vue-components/resolvers'

// Element Plus: what its components share (utilities, hooks, constants,
// directives, locale and the libraries under them) and the components the
// shell and the enterprise list show (with their CSS) go into one chunk,
// loaded with the first page after login and cached for every page after
// it. Left to Rollup, these modules were spread over ~25 shared chunks named
// after whichever page module they landed beside (poolRef, qualRef,
// policyRef…), each one or two requests on that first paint. The other
// components (date pickers, tabs, upload, steps…) stay in chunks of their
// own, loaded by the pages that use them. Grouping all of Element Plus was
// tried and dropped: Rollup then kept every component of the package.
const EP_CORE = [
  'alert', 'aside', 'badge', 'base', 'button', 'button-group', 'checkbox',
  'collapse-transition', 'collection', 'config-provider', 'container',
  'dialog', 'dropdown', 'dropdown-item', 'dropdown-menu', 'focus-trap',
  'footer', 'form', 'form-item', 'header', 'icon', 'input', 'loading', 'main',
  'menu', 'menu-item', 'message', 'message-box', 'option', 'option-group',
  'overlay', 'pagination', 'popover', 'popper', 'radio', 'radio-group',
  'roving-focus-group', 'scrollbar', 'select', 'select-v2', 'slot',
  'sub-menu', 'table', 'table-column', 'tag', 'teleport', 'text', 'tooltip',
  'tree', 'tree-select',
].join('|')
const EP_BASE = new RegExp(
  'node_modules/(element-plus/es/(utils|hooks|constants|directives|locale)/' +
    `|element-plus/es/components/(${EP_CORE})/` +
    `|element-plus/theme-chalk/(el-)?(${EP_CORE})\\.css$` +
    '|(lodash-es|@vueuse|@floating-ui|@popperjs|@ctrl|dayjs|async-validator|normalize-wheel-es|memoize-one)/)',
)

// Vendor code that every page needs goes into a few long-lived chunks;
// ECharts is only reachable from lazy routes, so its chunk is loaded on
// demand.
function manualChunks(id) {
  if (!id.includes('node_modules')) return undefined
  if (/node_modules\/(echarts|zrender)\//.test(id)) return 'echarts'
  if (/node_modules\/(@vue|vue|vue-router|pinia)\//.test(id)) return 'vue'
  if (EP_BASE.test(id)) return 'ep-base'
  return undefined
}

// Library code carries links to its online documentation inside warning
// strings (never fetched). The built UI must name no external URL (it runs
// offline; tests/scripts/ui_no_external.sh checks), so these links become
// plain text.
function noExternalDocLinks() {
  return {
    name: 'kc-no-external-doc-links',
    renderChunk(code) {
      const out = code
        .replace(/https:\/\/element-plus\.org\/[A-Za-z0-9_\-./#?=%]*/g, 'Element Plus 文档')
        .replace(/https:\/\/vuejs\.org\/error-reference\/#runtime-/g, 'Vue 运行时错误 #')
      return out === code ? null : { code: out, map: null }
    },
  }
}

// The login page loads the entry and Vue only (no Element Plus, no page
// code). A change of the chunking (experimentalMinChunkSize, a manual chunk)
// can move shared modules into the entry and with them an import of a
// vendor chunk; the build stops if the entry imports anything but Vue.
function entryImportsVueOnly() {
  return {
    name: 'kc-entry-imports-vue-only',
    generateBundle(_, bundle) {
      for (const c of Object.values(bundle)) {
        if (c.type !== 'chunk' || !c.isEntry) continue
        const extra = c.imports.filter((f) => !/^assets\/vue-[\w-]+\.js$/.test(f))
        if (extra.length) this.error(`the entry ${c.fileName} imports ${extra.join(', ')}: the login page would load them`)
      }
    },
  }
}

export default defineConfig({
  base: '/',
  plugins: [
    vue(),
    // Element Plus components and their CSS are imported where used.
    Components({
      dts: false,
      resolvers: [ElementPlusResolver({ importStyle: 'css', directives: true })],
    }),
    noExternalDocLinks(),
    entryImportsVueOnly(),
  ],
  build: {
    target: 'es2020',
    outDir: 'dist',
    assetsDir: 'assets',
    emptyOutDir: true,
    sourcemap: false,
    reportCompressedSize: false,
    chunkSizeWarningLimit: 1200,
    modulePreload: { polyfill: false },
    rollupOptions: {
      output: {
        manualChunks,
        // No experimentalMinChunkSize: with Element Plus grouped above it
        // merged small page modules (forms, pickers, code tables) into the
        // entry, i.e. into the login page.
        entryFileNames: 'assets/[name]-[hash].js',
        chunkFileNames: 'assets/[name]-[hash].js',
        assetFileNames: 'assets/[name]-[hash][extname]',
      },
    },
  },
  server: {
    host: '127.0.0.1',
    proxy: { '/api': 'http://127.0.0.1:8080' },
  },
})
