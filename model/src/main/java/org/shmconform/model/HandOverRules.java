package org.shmconform.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.shmconform.model.ModelOp.Outcome;
import org.shmconform.model.ModelState.Segment;
import org.shmconform.model.ModelState.Server;
import org.shmconform.model.ModelState.Worker;
import org.shmconform.model.SegmentModel.Step;

/**
 * A segment handed over as a descriptor (seed L5): serveFd by an attached holder, attachFd by a
 * receiver whose object has the same key. A successful attachFd is an attach of the served segment
 * (the same object, counted among its attachers); one that finds nobody serving at the path, or a
 * descriptor of another key, is refused as NotFound; a receiver of a user the server does not hand
 * over to is refused. A server stops when its holder detaches, re-keys, exits or dies.
 *
 * <p>The other way seed L5 names, inheritance: spawnChild by an attached worker starts the child
 * worker the op names, which inherits the segment's descriptor and attaches through it (the same
 * object, with the parent's mode, mapping its current length, not holding the lock whoever does). A
 * worker that is not attached, or whose backend cannot hand a descriptor over, starts its child
 * without the descriptor and returns false: the child is a fresh object. The child is a process of
 * its own from then on: its parent's death does not end it, nor its attachment.
 */
final class HandOverRules {
    private HandOverRules() {
    }

    static Step serve(Profile profile, ModelState s, ModelOp op, Worker w) {
        String name = op.args().path();
        if (Boolean.FALSE.equals(profile.handsOverDescriptor())) {
            return Expect.fail(s, op, null, Property.API_CONTRACT, "serveFd by a backend that cannot hand a descriptor over");
        }
        if (!w.attached()) {
            return Expect.fail(s, op, null, Property.API_CONTRACT, "serveFd when not attached");
        }
        boolean busy = s.servers().containsKey(name) || s.servers().values().stream().anyMatch(v -> v.process().equals(op.process()));
        if (busy) {
            return Expect.fail(s, op, null, Property.API_CONTRACT, "serveFd where a server already listens, or by a worker already serving");
        }
        if (op.outcome() == Outcome.FAIL && profile.handsOverDescriptor() == null) {
            return Step.to(s.observe("serveFd: no descriptor hand-over"));
        }
        if (op.outcome() != Outcome.OK) {
            return Step.violates(Property.API_CONTRACT, "serveFd of an attached segment returned " + Expect.describe(op));
        }
        return Step.to(s.withServer(name, new Server(op.process(), w.key(), op.user(), op.args().peer())));
    }

    static Step attach(Profile profile, ModelState s, ModelOp op, Worker w) {
        if (op.key() == null || op.key().isEmpty()) {
            return Expect.fail(s, op, "KeyError", Property.API_CONTRACT, "attachFd with an empty key");
        }
        if (Boolean.FALSE.equals(profile.handsOverDescriptor())) {
            return Expect.fail(s, op, null, Property.API_CONTRACT, "attachFd by a backend that cannot receive a descriptor");
        }
        return Step.anyOf(KeySpaceRules.rekey(profile, s, op, w), base -> attachOn(base, op));
    }

    private static Step attachOn(ModelState base, ModelOp op) {
        Worker w = base.worker(op.process());
        if (w.attached()) {
            return Expect.fail(base, op, null, Property.API_CONTRACT, "attachFd while already attached");
        }
        Server server = base.servers().get(op.args().path());
        if (server == null) {
            return Expect.fail(base, op, "NotFound", Property.ATTACH_EXISTING, "attachFd where nobody serves a descriptor");
        }
        if (!server.serves(op.user())) {
            return Expect.fail(base, op, null, Property.NOT_WORLD_ACCESSIBLE, "attachFd by " + KeySpaceRules.user(op.user())
                    + " from a server that hands over only to " + KeySpaceRules.user(server.user())
                    + (server.peer() == null ? "" : " and " + server.peer()));
        }
        if (!logicalKey(server.key()).equals(op.key())) {
            return Expect.fail(base, op, "NotFound", Property.ATTACH_EXISTING, "attachFd of a descriptor of another key");
        }
        Segment seg = base.segments().get(server.key());
        if (op.outcome() != Outcome.OK) {
            return Step.violates(Property.ATTACH_EXISTING, "attachFd of the segment " + server.process() + " serves returned "
                    + Expect.describe(op));
        }
        Map<String, Boolean> attached = new TreeMap<>(seg.attached());
        attached.put(op.process(), op.readOnly());
        return Step.to(base.withSegment(server.key(), seg.withAttached(attached)).because(server.key(), null)
                .with(op.process(), new Worker(server.key(), true, op.readOnly(), w.locked(), false, seg.size()))
                .observe("attachFd: the descriptor reached " + KeySpaceRules.user(op.user())));
    }

    /**
     * attachFd takes the segment lock around its attach, as attach does (Qt's locker): it may wait while
     * another process holds the key's lock, and only then.
     */
    static Step blockedAttach(ModelState s, ModelOp op) {
        Lock lock = op.key() == null || op.key().isEmpty() ? null : s.lock(KeySpaceRules.modelKey(op));
        if (lock != null && !lock.isHeldBy(op.process())) {
            return Step.to(s.observe("attachFd() waited on the lock held by another process"));
        }
        return Step.violates(Property.LOCK_EXCLUSIVE, "attachFd() never returned although no other process held the lock");
    }

    static Step spawnChild(Profile profile, ModelState s, ModelOp op, Worker w) {
        String child = op.args().child();
        if (child == null || child.equals(op.process())) {
            return Step.violates(Property.API_CONTRACT, "spawnChild names no child of its own");
        }
        if (Boolean.FALSE.equals(profile.handsOverDescriptor())) {
            return Expect.fail(s, op, null, Property.API_CONTRACT, "spawnChild by a backend that cannot hand a descriptor over");
        }
        if (!w.attached()) {
            return Expect.fail(s, op, null, Property.API_CONTRACT, "spawnChild when not attached: there is no descriptor to inherit");
        }
        if (op.outcome() == Outcome.FAIL && profile.handsOverDescriptor() == null) {
            return Step.to(s.observe("spawnChild: no descriptor hand-over"));
        }
        if (op.outcome() != Outcome.OK) {
            return Step.violates(Property.ATTACH_EXISTING, "spawnChild by a worker attached to its segment returned " + Expect.describe(op));
        }
        Segment seg = s.segments().get(w.key());
        if (seg == null) {
            return Step.violates(Property.API_CONTRACT, "spawnChild: the model has no segment " + w.key() + " its parent is attached to");
        }
        Map<String, Boolean> attached = new TreeMap<>(seg.attached());
        attached.put(child, w.readOnly());
        return Step.to(s.withSegment(w.key(), seg.withAttached(attached))
                .with(child, new Worker(w.key(), true, w.readOnly(), false, false, seg.size()))
                .observe("spawnChild: the child inherited the descriptor"));
    }

    /**
     * The servers still running after {@code op}: a holder's server stops when it detaches, exits or
     * dies, or when its object is no longer attached to the served key.
     */
    static Step stopServers(ModelOp op, Step step) {
        if (!step.legal() || step.next().stream().allMatch(n -> n.servers().isEmpty())) {
            return step;
        }
        String p = op.process();
        List<ModelState> next = new ArrayList<>();
        for (ModelState n : step.next()) {
            Worker w = n.worker(p);
            boolean stops = op.f().equals("detach") || op.f().equals("exit") || w.dead() || !w.attached()
                    || n.servers().values().stream().anyMatch(v -> v.process().equals(p) && !v.key().equals(w.key()));
            ModelState after = stops ? n.withoutServersOf(p) : n;
            if (!next.contains(after)) {
                next.add(after);
            }
        }
        return Step.to(next);
    }

    private static String logicalKey(String modelKey) {
        return ModelKey.parse(modelKey).key();
    }
}
