// lazy.js - components fetched when first rendered, not with the page that
// names them: closed dialogs, the narrow-screen menu drawer, the picker of
// a filter not in use. A page renders such a component only once it is
// needed (v-if), so its code and CSS stay off the first paint
// (bench/ui/README.md). Element Plus components are wrapped in a one-line
// SFC (DatePicker.vue, Drawer.vue): the wrapper is the lazy chunk and the
// component's own chunk stays the one every other page shares.
import { defineAsyncComponent } from 'vue'

export const lazy = (loader) => defineAsyncComponent({ loader })

export const LazyDatePicker = lazy(() => import('./DatePicker.vue'))
export const LazyDrawer = lazy(() => import('./Drawer.vue'))
