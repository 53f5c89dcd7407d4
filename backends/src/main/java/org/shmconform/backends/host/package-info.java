/**
 * The few Linux calls the engine and the worker need, as small typed classes, so that nothing
 * outside the backends module touches JNA or the backends' call layer ({@code backends.linux}):
 * a lock file held with an open-file-description lock ({@link org.shmconform.backends.host.OfdLockFile}),
 * an inotify watch ({@link org.shmconform.backends.host.InotifyWatch}), a process pinned by a pidfd
 * ({@link org.shmconform.backends.host.Pidfd}), the caller's ids ({@link org.shmconform.backends.host.HostIds})
 * and where the native-access library lives ({@link org.shmconform.backends.host.NativeAccess}).
 */
package org.shmconform.backends.host;
