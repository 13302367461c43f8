package org.sanku.serve;

import java.lang.reflect.Field;

/**
 * Reads and sets a private field of HiveServer2's services. Spark's Thrift server is put together this way itself
 * (its {@code ReflectionUtils.setSuperField}): the Hive classes it extends offer no setter for the parts it
 * replaces, and neither for the session manager Sanku replaces in turn.
 */
final class Reflect {

  private Reflect() {}

  @SuppressWarnings("unchecked")
  static <T> T field(Class<?> declaring, Object target, String name) {
    try {
      Field f = declaring.getDeclaredField(name);
      f.setAccessible(true);
      return (T) f.get(target);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot read " + declaring.getName() + "." + name + " (another Spark version?)",
          e);
    }
  }

  static void set(Class<?> declaring, Object target, String name, Object value) {
    try {
      Field f = declaring.getDeclaredField(name);
      f.setAccessible(true);
      f.set(target, value);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot set " + declaring.getName() + "." + name + " (another Spark version?)",
          e);
    }
  }
}
