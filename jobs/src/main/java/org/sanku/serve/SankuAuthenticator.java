package org.sanku.serve;

import javax.security.sasl.AuthenticationException;
import org.apache.hive.service.auth.PasswdAuthenticationProvider;

/**
 * The login check HiveServer2 calls for {@code hive.server2.authentication=CUSTOM}: it creates one by class name
 * ({@code hive.server2.custom.authentication.class}) for every login, so the check itself is the running server's
 * ({@link ServerState#authenticate}): the users file, the password hashes, the lock, one log line per refusal.
 */
public final class SankuAuthenticator implements PasswdAuthenticationProvider {

  @Override
  public void Authenticate(String user, String password) throws AuthenticationException {
    ServerState state = ServerState.current();
    if (state == null) {
      throw new AuthenticationException("the Sanku JDBC server is not running");
    }
    state.authenticate(user == null ? "" : user, password == null ? "" : password);
  }
}
