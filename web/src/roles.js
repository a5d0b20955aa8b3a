// Roles as the API names them: the server's table (src/domain/accounts/
// actor.c), served with GET /reference/labels and loaded by loadLabels() of
// auditNames.js; [{ value, label, writes }]. The UI keeps no copy.
export { ROLES, roleLabel, loadLabels } from './auditNames.js'
