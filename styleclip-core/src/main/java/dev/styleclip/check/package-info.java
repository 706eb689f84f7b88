/**
 * Checks of settings shared by every front end: {@link dev.styleclip.check.Checks} and the
 * {@link dev.styleclip.check.SettingException} that names the setting at fault. Settings records call them in
 * their constructors, so a bad value is refused before any model is loaded or any file is written.
 */
package dev.styleclip.check;
