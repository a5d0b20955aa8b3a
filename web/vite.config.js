// Vite build of the kechuang web UI. The output (web/dist) is embedded into
// the binary by tools/embed.c; see docs/ui.md.
import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'
import Components from 'unplugin-vue-components/vite'
import { ElementPlusResolver } from 'unplugin-vue-components/resolvers'

// Vendor code that every page needs goes into a few long-lived chunks;
// ECharts is only reachable from lazy routes, so its chunk is loaded on
// demand.
function manualChunks(id) {
  if (!id.includes('node_modules')) return undefined
  if (/node_modules\/(echarts|zrender)\//.test(id)) return 'echarts'
  if (/node_modules\/(@vue|vue|vue-router|pinia)\//.test(id)) return 'vue'
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
        // Small chunks are merged where that changes no module's order of
        // execution: ~95 files became ~88. (Grouping all of Element Plus
        // by manualChunks was tried: Rollup then kept every component of
        // the package, +300 KB; see bench/ui/README.md.)
        experimentalMinChunkSize: 40000,
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
