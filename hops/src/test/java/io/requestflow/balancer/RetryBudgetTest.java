package io.requestflow.balancer;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The budget's arithmetic with the per-second allowance at zero (so time plays no part): deposits counted per
 * thread and taken in when a retry asks give the balance adding each deposit at once would.
 */
class RetryBudgetTest {

    @Test
    void aRetryNeedsItsShareOfRequestsDepositedFirst() {
        RetryBudget budget = new RetryBudget(20, 0); // a fifth of a retry per request, nothing per second
        assertThat(budget.tryWithdraw()).isFalse();
        for (int i = 0; i < 4; i++) budget.deposit();
        assertThat(budget.tryWithdraw()).as("four requests pay for 0.8 retries").isFalse();
        budget.deposit();
        assertThat(budget.tryWithdraw()).as("five pay for one").isTrue();
        assertThat(budget.tryWithdraw()).isFalse();
        assertThat(budget.balance()).isCloseTo(0.0, org.assertj.core.data.Offset.offset(1e-9));
    }

    @Test
    void theBalanceIsCappedHoweverManyDepositsWaitedToBeTakenIn() {
        RetryBudget budget = new RetryBudget(20, 0); // cap: 10 retries
        for (int i = 0; i < 1_000; i++) budget.deposit();
        int granted = 0;
        while (budget.tryWithdraw()) granted++;
        assertThat(granted).isEqualTo(10);
        // deposits after the cap was reached count again once the balance is below it
        for (int i = 0; i < 10; i++) budget.deposit();
        assertThat(budget.tryWithdraw()).isTrue();
        assertThat(budget.tryWithdraw()).isTrue();
        assertThat(budget.tryWithdraw()).isFalse();
    }

    @Test
    void depositsFromManyThreadsAreAllCounted() throws Exception {
        RetryBudget budget = new RetryBudget(1, 0); // a hundredth of a retry per request
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            Thread thread = new Thread(() -> {
                for (int i = 0; i < 200; i++) budget.deposit();
            });
            threads.add(thread);
            thread.start();
        }
        for (Thread thread : threads) thread.join();
        assertThat(budget.balance()).isCloseTo(8.0, org.assertj.core.data.Offset.offset(1e-9));
        int granted = 0;
        while (budget.tryWithdraw()) granted++;
        assertThat(granted).isEqualTo(8);
    }
}
