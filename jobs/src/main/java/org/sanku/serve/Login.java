package org.sanku.serve;

/**
 * A connected login as the server treats it: who, the role (which tables), the scope (whose rows), and whether it
 * may read the analytics catalog itself (time travel, metadata tables): only a login of the whole region whose role
 * reads every table, or any connection of a server started with {@code --no-auth} (this machine only).
 */
record Login(String name, String role, Scope scope, boolean unrestricted) {

  /** A connection of a server without logins: the name the client gave, every table, every row. */
  static Login unchecked(String name) {
    return new Login(name, null, new Scope(java.util.List.of(Scope.ALL)), true);
  }

  /** The login of a user of the users file. */
  static Login of(Users.User u, AccessRules rules) {
    boolean everyTable = rules.tablesOf(u.role()).equals("*");
    return new Login(u.name(), u.role(), u.scope(), everyTable && u.scope().wholeRegion());
  }

  /** For messages: {@code alice (analyst, scope 511302)}. */
  String describe() {
    return role == null ? name + " (no logins checked: every table, every row)"
        : name + " (" + role + ", scope " + scope + ")";
  }
}
