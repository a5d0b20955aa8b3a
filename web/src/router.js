import { createRouter, createWebHistory } from 'vue-router'
import { areas, visibleAreas } from './menu.js'
import { useSession } from './stores/session.js'
import { setUnauthenticatedHandler } from './api.js'
import LoginView from './views/LoginView.vue'

// The shell is loaded after login: the login page's first load carries only
// what the login form needs.
const AppLayout = () => import('./layouts/AppLayout.vue')

const pageRoutes = areas.flatMap((a) =>
  a.pages.map((p) => ({
    path: p.path.slice(1),
    name: p.name,
    component: p.component,
    meta: { title: p.title, area: a.title, perm: p.perm },
  })),
)

export const router = createRouter({
  history: createWebHistory('/'),
  routes: [
    { path: '/login', name: 'login', component: LoginView, meta: { public: true, title: '登录' } },
    {
      path: '/',
      component: AppLayout,
      children: [
        { path: '', name: 'home', component: { render: () => null } },
        ...pageRoutes,
        {
          path: ':pathMatch(.*)*',
          name: 'not-found',
          component: () => import('./views/NotFound.vue'),
          meta: { title: '页面不存在' },
        },
      ],
    },
  ],
})

function firstPage(session) {
  const a = visibleAreas(session)
  return a.length ? a[0].pages[0].path : '/system/about'
}

let loading = null
function loadSession(session, together) {
  if (!loading) {
    loading = session.load({ together }).catch(() => {
      /* unreachable server: the login page shows the error on submit */
    })
  }
  return loading
}

router.beforeEach(async (to) => {
  const session = useSession()
  if (to.meta.public) {
    // The login form is shown at once; a session that turns out to be
    // still valid leaves it for the first page.
    if (!session.loaded) {
      loadSession(session, false).then(() => {
        if (session.loggedIn && router.currentRoute.value.name === 'login') {
          router.replace(firstPage(session))
        }
      })
      return true
    }
    if (to.name === 'login' && session.loggedIn) return firstPage(session)
    return true
  }
  if (!session.loaded) {
    // Fetch the lazy components of the target while the session loads.
    for (const r of to.matched) {
      const c = r.components && r.components.default
      if (typeof c === 'function') c().catch(() => {})
    }
    await loadSession(session, true)
  }
  if (!session.loggedIn) {
    return { name: 'login', query: to.fullPath !== '/' ? { redirect: to.fullPath } : {} }
  }
  if (to.name === 'home') return firstPage(session)
  if (to.meta.perm && to.meta.perm !== 'login' && !session.can(to.meta.perm)) {
    return firstPage(session)
  }
  return true
})

router.afterEach((to) => {
  document.title = (to.meta.title ? to.meta.title + ' · ' : '') + '科创'
})

setUnauthenticatedHandler(() => {
  const session = useSession()
  if (!session.loggedIn) return
  session.clear()
  const cur = router.currentRoute.value
  router.replace({ name: 'login', query: { redirect: cur.fullPath, expired: '1' } })
})
