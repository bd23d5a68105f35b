/* The bound on concurrent short requests: a FIFO of pending nodes and a
 * count of admitted ones. Kept apart from the transport so that the
 * ordering and the bound are unit-tested without sockets. */
#include "docker/docker-internal.h"

void kj_docker_queue_init(struct kj_docker_queue *q, size_t max)
{
    TAILQ_INIT(&q->pending);
    q->n_pending = 0;
    q->active = 0;
    q->max = max > 0 ? max : 1;
}

void kj_docker_queue_push(struct kj_docker_queue *q, struct kj_docker_qnode *n)
{
    TAILQ_INSERT_TAIL(&q->pending, n, link);
    n->queued = true;
    q->n_pending++;
}

struct kj_docker_qnode *kj_docker_queue_admit(struct kj_docker_queue *q)
{
    if (q->active >= q->max)
        return NULL;
    struct kj_docker_qnode *n = TAILQ_FIRST(&q->pending);
    if (n == NULL)
        return NULL;
    TAILQ_REMOVE(&q->pending, n, link);
    n->queued = false;
    q->n_pending--;
    q->active++;
    return n;
}

void kj_docker_queue_release(struct kj_docker_queue *q)
{
    if (q->active > 0)
        q->active--;
}

void kj_docker_queue_remove(struct kj_docker_queue *q, struct kj_docker_qnode *n)
{
    if (!n->queued)
        return;
    TAILQ_REMOVE(&q->pending, n, link);
    n->queued = false;
    q->n_pending--;
}
