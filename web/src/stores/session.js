// session.js - the logged-in user, the CSRF token, the units in scope and
// the unit chosen in the top bar's switcher.
import { defineStore } from 'pinia'
import { api, setCsrf } from '../api.js'

const UNIT_KEY = 'kc.unit'

// Permissions as the server grants them (src/domain/accounts/actor.c); the UI uses
// them only to hide what would be refused anyway.
const PERMS = {
  admin: ['read', 'write', 'manage', 'audit', 'admin'],
  staff: ['read', 'write', 'manage', 'audit'],
  leader: ['read', 'audit'],
  agent: ['read', 'write'],
  dept: ['read', 'write'],
}

export const useSession = defineStore('session', {
  state: () => ({
    user: null,
    loaded: false,
    units: [],
    unitId: null,
  }),
  getters: {
    loggedIn: (s) => !!s.user,
    role: (s) => (s.user ? s.user.role : ''),
    currentUnit: (s) => s.units.find((u) => u.id === s.unitId) || null,
  },
  actions: {
    can(perm) {
      return !!this.user && (PERMS[this.user.role] || []).includes(perm)
    },
    apply(data) {
      this.user = data ? data.user : null
      setCsrf(data ? data.csrf_token : '')
    },
    // The session and the units in scope. With `together` both are asked
    // for at once (the units answer 401 too when there is no session), which
    // saves a round trip when a session is likely.
    async load({ together = true } = {}) {
      const units = together ? api.get('/org-units').catch((e) => e) : null
      try {
        this.apply(await api.get('/session'))
      } catch (e) {
        if (e.status !== 401) throw e
        this.apply(null)
      } finally {
        this.loaded = true
      }
      if (!this.user) return
      // a user who must change the initial password may use nothing else
      // (the server answers 403 password_change_required): the units wait
      if (this.user.must_change_password) {
        if (units) await units // settled, its 403 dropped
        this.units = []
        return
      }
      const u = units ? await units : await api.get('/org-units')
      if (u instanceof Error) throw u
      this.setUnits(u)
    },
    async login(username, password) {
      this.apply(await api.post('/session', { username, password }))
      this.loaded = true
      if (!this.user.must_change_password) await this.loadUnits()
    },
    async logout() {
      try {
        await api.del('/session')
      } finally {
        this.clear()
      }
    },
    clear() {
      this.apply(null)
      this.units = []
      this.unitId = null
    },
    async loadUnits() {
      this.setUnits(await api.get('/org-units'))
    },
    setUnits(r) {
      this.units = r.items || []
      const saved = parseInt(sessionStorage.getItem(UNIT_KEY) || '', 10)
      const own = this.user ? this.user.unit_id : null
      this.unitId = this.units.some((u) => u.id === saved)
        ? saved
        : this.units.some((u) => u.id === own)
          ? own
          : this.units.length
            ? this.units[0].id
            : null
    },
    chooseUnit(id) {
      this.unitId = id
      sessionStorage.setItem(UNIT_KEY, String(id))
    },
  },
})
